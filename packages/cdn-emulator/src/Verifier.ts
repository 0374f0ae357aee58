/**
 * The emulator's own check of the date header and the signature. It deliberately shares no code with
 * cdn-core's signer, so that one bug cannot hide in both.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import type { ServiceErrorType } from "@org/cdn-core/ErrorInfo"
import type { EmulatorKey, Verification } from "./EmulatorOptions.js"

/** What the emulator needs of a request to verify it. */
export interface SignedRequest {
  readonly method: string
  /** The path as it arrived, still percent-encoded. */
  readonly rawPath: string
  /** The query string as it arrived, without `?`. */
  readonly rawQuery: string
  readonly date: string | undefined
  readonly authorization: string | undefined
}

export type Verdict =
  | { readonly ok: true; readonly key: EmulatorKey }
  | { readonly ok: false; readonly type: ServiceErrorType; readonly message: string; readonly keyId?: string }

const datePattern = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const authorizationPattern = /^AzureCDN ([^:\s]+):([0-9A-Fa-f]{64})$/

/** Parses `yyyy-MM-dd HH:mm:ss` as UTC; undefined unless every field is in range. */
export const parseRequestDate = (text: string): number | undefined => {
  const m = datePattern.exec(text)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  const at = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(at)
  const exact =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s
  return exact ? at : undefined
}

// Query pairs in arrival order; `decode` picks the decoded or the raw reading of the values.
const queryPairs = (rawQuery: string, decode: boolean): Array<[string, string]> => {
  if (rawQuery === "") return []
  return rawQuery.split("&").flatMap((part): Array<[string, string]> => {
    if (part === "") return []
    const eq = part.indexOf("=")
    const rawName = eq < 0 ? part : part.slice(0, eq)
    const rawValue = eq < 0 ? "" : part.slice(eq + 1)
    const name = safeDecode(rawName)
    return [[name, decode ? safeDecode(rawValue) : rawValue]]
  })
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

// The documented rule, written out again: first value per name, ordinal sort, ", " between pairs.
const sortedPairs = (pairs: Array<[string, string]>): string => {
  const seen = new Map<string, string>()
  for (const [name, value] of pairs) if (!seen.has(name)) seen.set(name, value)
  return Array.from(seen.entries())
    .sort(([a], [b]) => (a === b ? 0 : a < b ? -1 : 1))
    .map(([name, value]) => `${name}:${value}`)
    .join(", ")
}

/** Every string to sign that the chosen mode accepts; the first is the strict reading. */
export const acceptedStrings = (request: SignedRequest, date: string, mode: Verification): Array<string> => {
  const method = request.method.toUpperCase()
  const build = (path: string, query: string) => [path, query, date, method].join("\r\n")
  const strict = build(request.rawPath.toLowerCase(), sortedPairs(queryPairs(request.rawQuery, true)))
  if (mode === "strict") return [strict]
  const paths = [request.rawPath.toLowerCase(), request.rawPath]
  const queries = [sortedPairs(queryPairs(request.rawQuery, true)), sortedPairs(queryPairs(request.rawQuery, false))]
  return Array.from(new Set(paths.flatMap((path) => queries.map((query) => build(path, query)))))
}

const hmacHex = (key: string, text: string): string =>
  createHmac("sha256", Buffer.from(key, "utf8")).update(Buffer.from(text, "utf8")).digest("hex")

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const refuse = (type: ServiceErrorType, message: string, keyId?: string): Verdict =>
  keyId === undefined ? { ok: false, type, message } : { ok: false, type, message, keyId }

/** Checks the headers, the key (known, not revoked) and the signature, then the date window, in that order. */
export const verify = (
  request: SignedRequest,
  keys: ReadonlyArray<EmulatorKey>,
  mode: Verification,
  nowMillis: number,
  windowMillis: number,
  revoked: ReadonlySet<string> = new Set()
): Verdict => {
  if (request.authorization === undefined || request.authorization === "") {
    return refuse("MissingAuthorizationHeader", "Missing authorization header.")
  }
  if (request.date === undefined || request.date === "") {
    return refuse("MissingRequestDateHeader", "Missing request date header x-azurecdn-request-date.")
  }
  const at = parseRequestDate(request.date)
  if (at === undefined) {
    return refuse(
      "InvalidRequestDateHeader",
      `Request date '${request.date}' is not in the format yyyy-MM-dd HH:mm:ss.`
    )
  }
  const auth = authorizationPattern.exec(request.authorization)
  if (auth === null) {
    return refuse("InvalidAuthorizationHeader", "Authorization header must be 'AzureCDN {keyId}:{signature}'.")
  }
  const [, keyId, given] = auth as unknown as [string, string, string]
  const key = keys.find((candidate) => candidate.id === keyId)
  if (key === undefined) return refuse("ApiKeyNotFound", `API key '${keyId}' was not found.`, keyId)
  if (revoked.has(keyId)) return refuse("InvalidApiKey", `API key '${keyId}' has been revoked.`, keyId)
  // Strict mode wants the documented upper-case hex; lenient accepts either case.
  const presented = mode === "strict" ? given : given.toUpperCase()
  const matches = acceptedStrings(request, request.date, mode).some((text) =>
    sameText(presented, hmacHex(key.value, text).toUpperCase())
  )
  if (!matches) return refuse("WrongSignature", "The signature does not match.", keyId)
  if (Math.abs(nowMillis - at) > windowMillis) {
    return refuse(
      "AuthorizationHeaderExpired",
      `Request date ${request.date} is outside the allowed window of the server time.`,
      keyId
    )
  }
  return { ok: true, key }
}
