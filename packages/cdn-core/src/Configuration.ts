/**
 * An endpoint's configuration: its cache rules and its access control. Both published spellings read (TTL and flags
 * as numbers and booleans or as strings, `AllowList` or `AllowedList`, `Enabled` as `"true"`); the documented one
 * is sent.
 */
import { isIP } from "node:net"
import { Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { CanonicalKeys, LenientArray, LenientBoolean, LenientNumber, OneOf } from "./internal/lenient.js"

/** `Dir` (a path prefix), `Suffix` (a file extension) or `FullUri` (one path); others are kept as sent. */
export type CacheRuleType = "Dir" | "Suffix" | "FullUri" | (string & {})

/** One rule: the first that matches a request decides its TTL (seconds; 0: not cached). */
export class CacheRule extends Schema.Class<CacheRule>("CacheRule")({
  type: Schema.propertySignature(Schema.String as unknown as Schema.Schema<CacheRuleType, string>).pipe(
    Schema.fromKey("Type")
  ),
  items: LenientArray(Schema.String).pipe(Schema.fromKey("Items")),
  ttl: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("TTL"))
}) {}

const flag = <K extends string>(key: K) =>
  Schema.optionalWith(LenientBoolean, { default: () => false }).pipe(Schema.fromKey(key))

/** The cache rules as the live service answers them (PascalCase keys). */
export class CachePolicyShape extends Schema.Class<CachePolicyShape>("CachePolicy")({
  rules: LenientArray(CacheRule).pipe(Schema.fromKey("Rules")),
  ignoreCacheControl: flag("IgnoreCacheControl"),
  ignoreQueryString: flag("IgnoreQueryString"),
  ignoreCookie: flag("IgnoreCookie")
}) {}

/** An endpoint's cache rules, read in any key case. */
export const CachePolicy = Schema.compose(
  CanonicalKeys(["Rules", "Type", "Items", "TTL", "IgnoreCacheControl", "IgnoreQueryString", "IgnoreCookie"]),
  CachePolicyShape
)
export type CachePolicy = CachePolicyShape

// Characters the service's matcher would read as patterns.
const special = /[{}()[\]?*\\^$]/

const RuleInput = Schema.Struct({
  type: OneOf(["Dir", "Suffix", "FullUri"], "type"),
  items: Schema.Array(Schema.Trim).pipe(Schema.minItems(1, { message: () => "give at least one item" })),
  ttl: Schema.Number.pipe(
    Schema.filter((n) => (Number.isInteger(n) && n >= 0) || `ttl must be a whole number of seconds >= 0, got ${n}`)
  )
}).pipe(
  Schema.filter((rule) => {
    for (const [i, item] of rule.items.entries()) {
      const where = { path: ["items", i] }
      if (special.test(item)) return { ...where, message: `may not hold { } ( ) [ ] ? * \\ ^ $, got ${quoted(item)}` }
      if (rule.type === "Suffix" && (item.includes(".") || item.includes("/") || item === "")) {
        return { ...where, message: `a Suffix item is an extension without a dot, such as jpg, got ${quoted(item)}` }
      }
      if (rule.type !== "Suffix" && !item.startsWith("/")) {
        return { ...where, message: `a ${rule.type} item starts with /, got ${quoted(item)}` }
      }
    }
    return true
  })
)

/** `setCacheRules` input: the whole policy (it replaces the endpoint's). */
export const CachePolicyInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  rules: Schema.Array(RuleInput).pipe(Schema.maxItems(100, { message: () => "at most 100 rules" })),
  ignoreCacheControl: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  ignoreQueryString: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  ignoreCookie: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
export type CachePolicyInput = typeof CachePolicyInput.Encoded

/** The documented body: TTL a number, flags booleans. */
export const cachePolicyBody = (input: typeof CachePolicyInput.Type) => ({
  Rules: input.rules.map((rule) => ({ Type: rule.type, Items: rule.items, TTL: rule.ttl })),
  IgnoreCacheControl: input.ignoreCacheControl,
  IgnoreQueryString: input.ignoreQueryString,
  IgnoreCookie: input.ignoreCookie
})

/** `AllowList` (only these referers) or `BlockList` (all but these); the description file's `AllowedList` reads too. */
export const RefererControlType = Schema.transform(
  Schema.String,
  Schema.String as unknown as Schema.Schema<"AllowList" | "BlockList" | (string & {}), string>,
  { strict: true, decode: (type) => (type === "AllowedList" ? "AllowList" : type), encode: (type) => type }
)

export class RefererControl extends Schema.Class<RefererControl>("RefererControl")({
  enabled: Schema.optionalWith(LenientBoolean, { default: () => false }).pipe(Schema.fromKey("Enabled")),
  pathPatterns: LenientArray(Schema.String).pipe(Schema.fromKey("PathPatterns")),
  referers: LenientArray(Schema.String).pipe(Schema.fromKey("Referers")),
  refererControlType: Schema.optionalWith(RefererControlType, { default: () => "BlockList" }).pipe(
    Schema.fromKey("RefererControlType")
  )
}) {}

/** The access control as the service answers it (PascalCase keys). */
export class AccessControlShape extends Schema.Class<AccessControlShape>("AccessControl")({
  forbiddenIps: LenientArray(Schema.String).pipe(Schema.fromKey("ForbiddenIps")),
  refererControl: Schema.optionalWith(Schema.NullOr(RefererControl), { default: () => null }).pipe(
    Schema.fromKey("RefererControl")
  )
}) {}

/** An endpoint's access control, read in any key case. */
export const AccessControl = Schema.compose(
  CanonicalKeys(["ForbiddenIps", "RefererControl", "Enabled", "PathPatterns", "Referers", "RefererControlType"], {
    ForbiddenIPs: "ForbiddenIps"
  }),
  AccessControlShape
)
export type AccessControl = AccessControlShape

const hostPattern = /^(\*\.)?([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$/

/** A referer: an absolute http(s) URL (`http://www.abc.com`) or a host name (`*.abc.com`). */
const isReferer = (text: string): boolean => {
  if (hostPattern.test(text)) return true
  if (!/^https?:\/\//i.test(text)) return false
  try {
    return hostPattern.test(new URL(text.replace("://*.", "://wildcard.")).hostname)
  } catch {
    return false
  }
}

/** `setAccessControl` input. */
export const AccessControlInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  forbiddenIps: Schema.optionalWith(
    Schema.Array(
      Schema.Trim.pipe(Schema.filter((ip) => isIP(ip) !== 0 || `must be an IPv4 or IPv6 address, got ${quoted(ip)}`))
    ),
    { default: () => [] }
  ),
  refererControl: Schema.optional(
    Schema.Struct({
      enabled: Schema.Boolean,
      type: OneOf(["AllowList", "BlockList"], "type"),
      referers: Schema.Array(
        Schema.Trim.pipe(
          Schema.filter(
            (r) => isReferer(r) || `must be http(s)://host or a host name such as *.example.com, got ${quoted(r)}`
          )
        )
      ),
      pathPatterns: Schema.optionalWith(
        Schema.Array(
          Schema.Trim.pipe(Schema.filter((p) => p.startsWith("/") || `must start with /, got ${quoted(p)}`))
        ),
        { default: () => [] }
      )
    })
  )
})
export type AccessControlInput = typeof AccessControlInput.Encoded

/** The documented body: `Enabled` as the string the documents show. */
export const accessControlBody = (input: typeof AccessControlInput.Type) => ({
  ForbiddenIps: input.forbiddenIps,
  ...(input.refererControl === undefined
    ? {}
    : {
        RefererControl: {
          Enabled: String(input.refererControl.enabled),
          PathPatterns: input.refererControl.pathPatterns,
          Referers: input.refererControl.referers,
          RefererControlType: input.refererControl.type
        }
      })
})
