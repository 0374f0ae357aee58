/**
 * An endpoint's configuration: its cache rules and its access control. Answers read in both published spellings (TTL
 * and flags as numbers and booleans or as strings, `AllowList` or `AllowedList`, `Enabled` as `"true"`); the bodies
 * sent and received are one schema each (`CachePolicyPayload`, `AccessControlPayload`).
 */
import { isIP } from "node:net"
import { type FastCheck, Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { LenientBoolean, LenientNumber, NullableList } from "./internal/lenient.js"
import { hasControlOrSpace } from "./internal/text.js"
import * as Wire from "./Wire.js"

/** `Dir` (a path prefix), `Suffix` (a file extension) or `FullUri` (one path); others are kept as sent. */
export type CacheRuleType = "Dir" | "Suffix" | "FullUri" | (string & {})

/** The documented rule types. */
export const CacheRuleTypes = ["Dir", "Suffix", "FullUri"] as const

/** One rule: the first that matches a request decides its TTL (seconds; 0: not cached). */
export class CacheRule extends Schema.Class<CacheRule>("CacheRule")({
  type: Schema.propertySignature(Schema.String as unknown as Schema.Schema<CacheRuleType, string>).pipe(
    Schema.fromKey("Type")
  ),
  items: Schema.propertySignature(NullableList(Schema.String)).pipe(Schema.fromKey("Items")),
  ttl: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("TTL"))
}) {}

const flag = <K extends string>(key: K) => Schema.propertySignature(LenientBoolean).pipe(Schema.fromKey(key))

/** An endpoint's cache rules, as the service answers them (PascalCase keys, every one required). */
export class CachePolicyShape extends Schema.Class<CachePolicyShape>("CachePolicy")({
  rules: Schema.propertySignature(NullableList(CacheRule)).pipe(Schema.fromKey("Rules")),
  ignoreCacheControl: flag("IgnoreCacheControl"),
  ignoreQueryString: flag("IgnoreQueryString"),
  ignoreCookie: flag("IgnoreCookie")
}) {}

export const CachePolicy = CachePolicyShape
export type CachePolicy = CachePolicyShape

// Characters the service's matcher would read as patterns, and what no item may hold.
const special = /[{}()[\]?*\\^$]/

/** Why `item` cannot be an item of a rule of `type`, or undefined. */
const itemProblem = (type: string, item: string): string | undefined => {
  if (hasControlOrSpace(item)) return `may not hold spaces or control characters, got ${quoted(item)}`
  if (special.test(item)) return `may not hold { } ( ) [ ] ? * \\ ^ $, got ${quoted(item)}`
  if (type === "Suffix" && (item.includes(".") || item.includes("/") || item === "")) {
    return `a Suffix item is an extension without a dot, such as jpg, got ${quoted(item)}`
  }
  if (type !== "Suffix" && !item.startsWith("/")) return `a ${type} item starts with /, got ${quoted(item)}`
  return undefined
}

// Rules as a property test draws them: items that fit their type.
const rules = (fc: typeof FastCheck) => {
  const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/)
  return fc
    .oneof(
      fc.record({
        type: fc.constant("Dir" as const),
        items: fc.array(
          segment.map((s) => `/${s}/`),
          { minLength: 1, maxLength: 3 }
        )
      }),
      fc.record({ type: fc.constant("Suffix" as const), items: fc.array(segment, { minLength: 1, maxLength: 3 }) }),
      fc.record({
        type: fc.constant("FullUri" as const),
        items: fc.array(
          segment.map((s) => `/${s}.png`),
          { minLength: 1, maxLength: 3 }
        )
      })
    )
    .chain((rule) => fc.nat({ max: 31_536_000 }).map((ttl) => ({ ...rule, ttl })))
}

// Every item fits its rule's type, named at `itemsKey[i]`.
const itemsFit = (itemsKey: string) => (rule: { readonly type: string; readonly items: ReadonlyArray<string> }) => {
  for (const [i, item] of rule.items.entries()) {
    const problem = itemProblem(rule.type, item)
    if (problem !== undefined) return { path: [itemsKey, i], message: problem }
  }
  return true
}

const Items = Schema.Array(Schema.String).pipe(Schema.minItems(1, { message: () => "give at least one item" }))
const Ttl = Schema.Number.pipe(
  Schema.filter((n) => (Number.isSafeInteger(n) && n >= 0) || `must be a whole number of seconds >= 0, got ${n}`)
)

const RuleInput = Schema.Struct({ type: Wire.OneOf(CacheRuleTypes), items: Items, ttl: Ttl }).pipe(
  Schema.filter(itemsFit("items")),
  Schema.annotations({ arbitrary: () => rules })
)

const maxRules = 100

/** `setCacheRules` input: the whole policy (it replaces the endpoint's). */
export const CachePolicyInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  rules: Schema.Array(RuleInput).pipe(Schema.maxItems(maxRules, { message: () => `at most ${maxRules} rules` })),
  ignoreCacheControl: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  ignoreQueryString: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  ignoreCookie: Schema.optionalWith(Schema.Boolean, { default: () => false })
})
export type CachePolicyInput = typeof CachePolicyInput.Encoded

const RuleOnWire = Wire.object({
  type: Schema.propertySignature(Wire.OneOf(CacheRuleTypes)).pipe(Schema.fromKey("Type")),
  items: Schema.propertySignature(Items).pipe(Schema.fromKey("Items")),
  ttl: Schema.propertySignature(Wire.WholeNumber).pipe(Schema.fromKey("TTL"))
}).pipe(Schema.filter(itemsFit("Items")), Schema.annotations({ arbitrary: () => rules }))

// A flag the body leaves out is false, as the service's binder reads it.
const flagOnWire = <K extends string>(key: K) =>
  Schema.optionalWith(Wire.Flag, { default: () => false }).pipe(Schema.fromKey(key))

/**
 * The cache rules body, `{"Rules": [{"Type", "Items", "TTL"}], "IgnoreCacheControl", "IgnoreQueryString",
 * "IgnoreCookie"}`: sent with TTL a number and the flags booleans; read with them as strings too.
 */
export const CachePolicyPayload = Wire.object({
  rules: Schema.propertySignature(
    Schema.Array(RuleOnWire).pipe(Schema.maxItems(maxRules, { message: () => `at most ${maxRules} rules` }))
  ).pipe(Schema.fromKey("Rules")),
  ignoreCacheControl: flagOnWire("IgnoreCacheControl"),
  ignoreQueryString: flagOnWire("IgnoreQueryString"),
  ignoreCookie: flagOnWire("IgnoreCookie")
})

/** `AllowList` (only these referers) or `BlockList` (all but these); the description file's `AllowedList` reads too. */
export const RefererControlType = Schema.transform(
  Schema.String,
  Schema.String as unknown as Schema.Schema<"AllowList" | "BlockList" | (string & {}), string>,
  { strict: true, decode: (type) => (type === "AllowedList" ? "AllowList" : type), encode: (type) => type }
)

export class RefererControl extends Schema.Class<RefererControl>("RefererControl")({
  enabled: Schema.propertySignature(LenientBoolean).pipe(Schema.fromKey("Enabled")),
  pathPatterns: Schema.propertySignature(NullableList(Schema.String)).pipe(Schema.fromKey("PathPatterns")),
  referers: Schema.propertySignature(NullableList(Schema.String)).pipe(Schema.fromKey("Referers")),
  refererControlType: Schema.propertySignature(RefererControlType).pipe(Schema.fromKey("RefererControlType"))
}) {}

/** An endpoint's access control, as the service answers it; no referer control reads as `null`. */
export class AccessControlShape extends Schema.Class<AccessControlShape>("AccessControl")({
  forbiddenIps: Schema.propertySignature(NullableList(Schema.String)).pipe(Schema.fromKey("ForbiddenIps")),
  refererControl: Schema.optionalWith(Schema.NullOr(RefererControl), { default: () => null }).pipe(
    Schema.fromKey("RefererControl")
  )
}) {}

export const AccessControl = AccessControlShape
export type AccessControl = AccessControlShape

const hostPattern = /^(\*\.)?([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$/

/** A referer: an absolute http(s) URL (`http://www.abc.com`) or a host name (`*.abc.com`). */
const isReferer = (text: string): boolean => {
  if (hostPattern.test(text)) return true
  if (!/^https?:\/\/[^@\s]+$/i.test(text)) return false
  try {
    return hostPattern.test(new URL(text.replace("://*.", "://wildcard.")).hostname)
  } catch {
    return false
  }
}

const ForbiddenIp = Schema.String.pipe(
  Schema.filter((ip) => isIP(ip) !== 0 || `must be an IPv4 or IPv6 address, got ${quoted(ip)}`),
  Schema.annotations({ arbitrary: () => (fc) => fc.oneof(fc.ipV4(), fc.ipV6()) })
)
const Referer = Schema.String.pipe(
  Schema.filter((r) => isReferer(r) || `must be http(s)://host or a host name such as *.example.com, got ${quoted(r)}`),
  Schema.annotations({
    arbitrary: () => (fc) =>
      fc.oneof(
        fc.domain(),
        fc.domain().map((d) => `*.${d}`),
        fc.domain().map((d) => `https://${d}`)
      )
  })
)
const PathPattern = Schema.String.pipe(
  Schema.filter(
    (p) => (p.startsWith("/") && !hasControlOrSpace(p)) || `must start with / and hold no spaces, got ${quoted(p)}`
  ),
  Schema.annotations({ arbitrary: () => (fc) => fc.stringMatching(/^\/[a-z0-9_./-]{0,16}$/) })
)

/** `setAccessControl` input. */
export const AccessControlInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  forbiddenIps: Schema.optionalWith(Schema.Array(ForbiddenIp), { default: () => [] }),
  refererControl: Schema.optional(
    Schema.Struct({
      enabled: Schema.Boolean,
      type: Wire.OneOf(["AllowList", "BlockList"]),
      referers: Schema.Array(Referer),
      pathPatterns: Schema.optionalWith(Schema.Array(PathPattern), { default: () => [] })
    })
  )
})
export type AccessControlInput = typeof AccessControlInput.Encoded

// The description file's `AllowedList` reads as `AllowList`, the spelling sent.
const RefererControlTypeOnWire = Schema.Union(
  Wire.OneOf(["AllowList", "BlockList"]),
  Schema.transform(Schema.Literal("AllowedList"), Schema.Literal("AllowList"), {
    strict: true,
    decode: () => "AllowList" as const,
    encode: () => "AllowedList" as const
  })
).annotations({ message: () => "must be AllowList or BlockList" })

/**
 * The access control body, `{"ForbiddenIps": [...], "RefererControl": {"Enabled": "true", "PathPatterns",
 * "Referers", "RefererControlType"}}`: `Enabled` sent as the string the documents show. `RefererControl` left out (or
 * `null`) means none.
 */
export const AccessControlPayload = Wire.object({
  forbiddenIps: Schema.optionalWith(Schema.Array(ForbiddenIp), { default: () => [] }).pipe(
    Schema.fromKey("ForbiddenIps")
  ),
  refererControl: Schema.optionalWith(
    Wire.object({
      enabled: Schema.propertySignature(Wire.FlagText).pipe(Schema.fromKey("Enabled")),
      type: Schema.propertySignature(RefererControlTypeOnWire).pipe(Schema.fromKey("RefererControlType")),
      referers: Schema.propertySignature(Schema.Array(Referer)).pipe(Schema.fromKey("Referers")),
      pathPatterns: Schema.optionalWith(Schema.Array(PathPattern), { default: () => [] }).pipe(
        Schema.fromKey("PathPatterns")
      )
    }),
    { nullable: true, exact: true }
  ).pipe(Schema.fromKey("RefererControl"))
})
