/**
 * Purge and preload: what a caller asks for, what goes on the wire, and the per-item results.
 */
import { Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, OperationId, SubscriptionId } from "./Ids.js"
import { LenientArray } from "./internal/lenient.js"

/**
 * Per subscription per day (raised on request). The documents give no per-request limit, so a request is held
 * to the daily quota: more can never be accepted in one day.
 */
export const quotas = { purgeFiles: 2000, purgeDirectories: 500, preloadFiles: 2000 } as const

/** Our own guard against a runaway input; the documents give no URL length limit. */
export const maxUrlLength = 4096

/** True for an absolute http(s) URL with a host. */
export const isContentUrl = (text: string): boolean => {
  if (!/^https?:\/\//i.test(text)) return false
  try {
    return new URL(text).hostname !== ""
  } catch {
    return false
  }
}

/** An absolute http(s) URL, e.g. `http://example.com/pictures/city.png`. */
export const ContentUrl = Schema.Trim.pipe(
  Schema.filter((url) =>
    url.length > maxUrlLength
      ? `must be at most ${maxUrlLength} characters, got ${url.length}`
      : isContentUrl(url) || `must be an absolute http(s) URL such as http://example.com/a.png, got ${quoted(url)}`
  )
)

// A repeated URL would cost the quota twice for nothing: each is sent once, in the order given.
const distinct = (urls: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(urls)]

const UrlList = (max: number, what: string) =>
  Schema.transform(
    Schema.Array(ContentUrl).pipe(
      Schema.maxItems(max, { message: () => `at most ${max} ${what} per request (the daily quota), got more` })
    ),
    Schema.Array(Schema.String),
    { strict: true, decode: distinct, encode: (urls) => urls }
  )

/** `purge` input: files and directories (absolute URLs; a directory usually ends in `/`), at least one of them. */
export const PurgeInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  files: Schema.optionalWith(UrlList(quotas.purgeFiles, "files"), { default: () => [] }),
  directories: Schema.optionalWith(UrlList(quotas.purgeDirectories, "directories"), { default: () => [] })
}).pipe(
  Schema.filter((input) =>
    input.files.length + input.directories.length > 0
      ? true
      : { path: ["files"], message: "give at least one file or directory to purge" }
  )
)
export type PurgeInput = typeof PurgeInput.Encoded

/** `preload` input: files only (each must answer 200 at the origin). */
export const PreloadInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  files: UrlList(quotas.preloadFiles, "files").pipe(
    Schema.filter((files) => files.length > 0 || "give at least one file to preload")
  )
})
export type PreloadInput = typeof PreloadInput.Encoded

/** The purge body on the wire; a list left empty is left out, as clients do. */
export const PurgeBody = Schema.Struct({
  Files: Schema.optional(Schema.Array(Schema.String)),
  Directories: Schema.optional(Schema.Array(Schema.String))
})
export type PurgeBody = typeof PurgeBody.Type

/** The preload body on the wire. */
export const PreloadBody = Schema.Struct({ Files: Schema.Array(Schema.String) })
export type PreloadBody = typeof PreloadBody.Type

export const purgeBody = (input: typeof PurgeInput.Type): PurgeBody => ({
  ...(input.files.length > 0 ? { Files: input.files } : {}),
  ...(input.directories.length > 0 ? { Directories: input.directories } : {})
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

/** `GET …/purges/{purgeId}`: one result per file and per directory. */
export class PurgeResult extends Schema.Class<PurgeResult>("PurgeResult")({
  files: LenientArray(ItemResult).pipe(Schema.fromKey("Files")),
  directories: LenientArray(ItemResult).pipe(Schema.fromKey("Directories"))
}) {
  get items(): ReadonlyArray<ItemResult> {
    return [...this.files, ...this.directories]
  }
}

/** `GET …/preloads/{preloadId}`: one result per file. */
export class PreloadResult extends Schema.Class<PreloadResult>("PreloadResult")({
  files: LenientArray(ItemResult).pipe(Schema.fromKey("Files"))
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
