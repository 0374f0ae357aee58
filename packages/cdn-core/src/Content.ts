/**
 * Purge and preload: what a caller asks for, the body on the wire (one schema each way), and the per-item results.
 */
import { type FastCheck, Option, Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, OperationId, SubscriptionId } from "./Ids.js"
import { RefusalTypeId } from "./internal/issues.js"
import { NullableList } from "./internal/lenient.js"
import { hasControlOrSpace } from "./internal/text.js"
import * as Wire from "./Wire.js"

/**
 * Per subscription per day (raised on request). The documents give no per-request limit, so a request is held
 * to the daily quota: more can never be accepted in one day.
 */
export const quotas = { purgeFiles: 2000, purgeDirectories: 500, preloadFiles: 2000 } as const

/** Our own guard against a runaway input; the documents give no URL length limit. */
export const maxUrlLength = 4096

// A `..` segment, spelt out or percent-encoded: a URL parser would climb out of the path with it.
const dotDot = /\/(\.|%2e){2}(?=[/?#]|$)/i
// An encoded slash or backslash turns into a separator for some servers and not for others.
const encodedSeparator = /%2f|%5c/i

/** Why `url` may never be sent (the service calls such a path malicious), or undefined. */
export const maliciousPart = (url: string): string | undefined => {
  if (hasControlOrSpace(url)) return "must not hold control characters, whitespace or DEL"
  if (url.includes("\\")) return "must not hold a backslash"
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url)?.[0] ?? ""
  const rest = url.slice(authority.length)
  if (dotDot.test(rest)) return "must not hold a '..' segment"
  if (encodedSeparator.test(rest.split(/[?#]/)[0] ?? "")) return "must not hold an encoded / or \\ in its path"
  return undefined
}

/** Why `url` is not an absolute http(s) URL with a concrete host, read as given; undefined when it is one. */
export const urlProblem = (url: string): string | undefined => {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)
  if (scheme === null) return `must be an absolute http(s) URL such as http://example.com/a.png, got ${quoted(url)}`
  if (!/^https?$/i.test(scheme[1] as string)) return `must be an http or https URL, got ${quoted(url)}`
  const authority = url.slice(scheme[0].length).split(/[/?#]/)[0] ?? ""
  if (authority.includes("@")) return "must not hold a user name or password (user@host)"
  if (authority.includes("*")) return "must name a concrete host, not a wildcard (*.example.com)"
  try {
    if (new URL(url).hostname === "") return `must name a host, got ${quoted(url)}`
  } catch {
    return `must be an absolute http(s) URL such as http://example.com/a.png, got ${quoted(url)}`
  }
  return undefined
}

/** True for a URL that may be purged or preloaded as given: absolute http(s), a concrete host, nothing hidden. */
export const isContentUrl = (url: string): boolean =>
  url.length <= maxUrlLength && maliciousPart(url) === undefined && urlProblem(url) === undefined

// URLs as a property test draws them: http(s), a DNS host, plain segments (never `.` or `..`).
const contentUrls = (fc: typeof FastCheck) =>
  fc
    .tuple(
      fc.constantFrom("http", "https"),
      fc.domain(),
      fc.array(fc.stringMatching(/^[a-z0-9_~-][a-z0-9._~-]{0,11}$/), { maxLength: 4 }),
      fc.boolean()
    )
    .map(([scheme, host, segments, slash]) => `${scheme}://${host}/${segments.join("/")}${slash ? "/" : ""}`)

/** An absolute http(s) URL, e.g. `http://example.com/pictures/city.png`, checked on the string as given. */
export const ContentUrl = Schema.String.pipe(
  Schema.filter((url) => url.length <= maxUrlLength || `must be at most ${maxUrlLength} characters, got ${url.length}`),
  Schema.filter((url) => maliciousPart(url) ?? true, { [RefusalTypeId]: "MaliciousItemPathDetected" }),
  Schema.filter((url) => urlProblem(url) ?? true),
  Schema.annotations({ arbitrary: () => contentUrls })
)

const UrlList = (max: number, what: string) =>
  Schema.transform(
    Schema.Array(ContentUrl).pipe(
      Schema.maxItems(max, { message: () => `at most ${max} ${what} per request (the daily quota), got more` })
    ),
    // A repeated URL would cost the quota twice for nothing: each is sent once, in the order given.
    Schema.Array(Schema.String).annotations({
      arbitrary: () => (fc) => fc.uniqueArray(contentUrls(fc), { maxLength: 4 })
    }),
    { strict: true, decode: (urls) => [...new Set(urls)], encode: (urls) => urls }
  )

const atLeastOne = (input: { readonly files: ReadonlyArray<string>; readonly directories: ReadonlyArray<string> }) =>
  input.files.length + input.directories.length > 0
    ? true
    : { path: ["files"], message: "give at least one file or directory to purge" }

/** `purge` input: files and directories (absolute URLs; a directory usually ends in `/`), at least one of them. */
export const PurgeInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  files: Schema.optionalWith(UrlList(quotas.purgeFiles, "files"), { default: () => [] }),
  directories: Schema.optionalWith(UrlList(quotas.purgeDirectories, "directories"), { default: () => [] })
}).pipe(Schema.filter(atLeastOne))
export type PurgeInput = typeof PurgeInput.Encoded

// A list that reads as empty when absent and is left out when empty, as clients send it.
const leftOutWhenEmpty = <A, I>(list: Schema.Schema<ReadonlyArray<A>, ReadonlyArray<I>>) =>
  Schema.optionalToRequired(list, Schema.typeSchema(list), {
    decode: (given) => Option.getOrElse(given, () => []),
    encode: (items) => (items.length > 0 ? Option.some(items) : Option.none())
  })

/** The purge body, `{"Files": [...], "Directories": [...]}`: a list left empty is left out, as clients do. */
export const PurgePayload = Wire.object({
  files: leftOutWhenEmpty(UrlList(quotas.purgeFiles, "files")).pipe(Schema.fromKey("Files")),
  directories: leftOutWhenEmpty(UrlList(quotas.purgeDirectories, "directories")).pipe(Schema.fromKey("Directories"))
}).pipe(
  Schema.filter((body) =>
    body.files.length + body.directories.length > 0
      ? true
      : { path: ["Files"], message: "give at least one of Files and Directories" }
  )
)

const PreloadFiles = UrlList(quotas.preloadFiles, "files").pipe(
  Schema.filter((files) => files.length > 0 || "give at least one file to preload")
)

/** `preload` input: files only (each must answer 200 at the origin). */
export const PreloadInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  files: PreloadFiles
})
export type PreloadInput = typeof PreloadInput.Encoded

/** The preload body, `{"Files": [...]}`. */
export const PreloadPayload = Wire.object({
  files: Schema.propertySignature(PreloadFiles).pipe(Schema.fromKey("Files"))
})

/** A purge (`Running|Succeed|Failed`) or preload (`Waiting|Running|Succeed|Failed`) item's status; others are kept. */
export type ItemStatus = "Waiting" | "Running" | "Succeed" | "Failed" | (string & {})

/** Items say `Succeed` (tasks say `Succeeded`): both are success. */
export const isItemSucceeded = (status: ItemStatus): boolean => status === "Succeed" || status === "Succeeded"
export const isItemFailed = (status: ItemStatus): boolean => status === "Failed"
/** Neither succeeded nor failed yet. */
export const isItemPending = (status: ItemStatus): boolean => !isItemSucceeded(status) && !isItemFailed(status)

/** One URL's result. */
export class ItemResult extends Schema.Class<ItemResult>("ItemResult")({
  url: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("Url")),
  status: Schema.propertySignature(Schema.String as Schema.Schema<ItemStatus, string>).pipe(Schema.fromKey("Status"))
}) {}

/** `GET …/purges/{purgeId}`: one result per file and per directory (both lists required; `null` reads as empty). */
export class PurgeResult extends Schema.Class<PurgeResult>("PurgeResult")({
  files: Schema.propertySignature(NullableList(ItemResult)).pipe(Schema.fromKey("Files")),
  directories: Schema.propertySignature(NullableList(ItemResult)).pipe(Schema.fromKey("Directories"))
}) {
  get items(): ReadonlyArray<ItemResult> {
    return [...this.files, ...this.directories]
  }
}

/** `GET …/preloads/{preloadId}`: one result per file. */
export class PreloadResult extends Schema.Class<PreloadResult>("PreloadResult")({
  files: Schema.propertySignature(NullableList(ItemResult)).pipe(Schema.fromKey("Files"))
}) {
  get items(): ReadonlyArray<ItemResult> {
    return this.files
  }
}

/** What identifies a purge's results: its id is the purge's `TaskTrackId`. */
export const PurgeRef = Schema.Struct({ subscriptionId: SubscriptionId, endpointId: EndpointId, purgeId: OperationId })
export type PurgeRef = typeof PurgeRef.Encoded

/** What identifies a preload's results: its id is the preload's `TaskTrackId`. */
export const PreloadRef = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  preloadId: OperationId
})
export type PreloadRef = typeof PreloadRef.Encoded
