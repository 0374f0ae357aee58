/**
 * How a request is signed: the pure string-to-sign and date format, and the service that signs each attempt.
 */

import { createHmac, createSecretKey, type KeyObject } from "node:crypto"
import { HttpClientRequest, UrlParams } from "@effect/platform"
import { Clock, Effect, Either, Redacted, Ref } from "effect"
import { CdnConfig } from "./CdnConfig.js"

/** The header that carries the request time. */
export const requestDateHeader = "x-azurecdn-request-date"

const pad = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

// Many requests fall in the same second: remember the last one formatted.
let lastSecond = Number.NaN
let lastFormatted = ""

/** The request date: UTC, `yyyy-MM-dd HH:mm:ss`, zero-padded, 24-hour clock. */
export const formatRequestDate = (epochMillis: number): string => {
  const second = Math.floor(epochMillis / 1000)
  if (second === lastSecond) return lastFormatted
  const d = new Date(second * 1000)
  lastFormatted = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  lastSecond = second
  return lastFormatted
}

const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The query part of the string to sign: `name:value` pairs with decoded values, a repeated name once with
 * its first value, sorted by name in ordinal (UTF-16 code unit) order, joined with ", ".
 */
export const canonicalQuery = (params: Iterable<readonly [string, string]>): string => {
  const first = new Map<string, string>()
  for (const [name, value] of params) if (!first.has(name)) first.set(name, value)
  // Most calls carry apiVersion alone: no sort needed.
  if (first.size === 1) for (const [name, value] of first) return `${name}:${value}`
  let out = ""
  for (const name of [...first.keys()].sort(ordinal)) out += `${out === "" ? "" : ", "}${name}:${first.get(name)}`
  return out
}

/** The canonical query of a URL's search string (`?a=1&b=2`), as `canonicalQuery` would give it. */
export const canonicalSearch = (url: URL): string => {
  const search = url.search
  if (search.length <= 1) return ""
  // Values with `%` or `+` need decoding: URLSearchParams does it exactly as the service does.
  if (search.includes("%") || search.includes("+")) return canonicalQuery(url.searchParams)
  // The usual call carries apiVersion alone: one pair, nothing to sort or decode.
  if (!search.includes("&")) {
    const eq = search.indexOf("=")
    return eq < 0 ? `${search.slice(1)}:` : `${search.slice(1, eq)}:${search.slice(eq + 1)}`
  }
  const pairs: Array<readonly [string, string]> = []
  for (const part of search.slice(1).split("&")) {
    if (part === "") continue
    const eq = part.indexOf("=")
    pairs.push(eq < 0 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)])
  }
  return canonicalQuery(pairs)
}

/** What a signature covers. */
export interface SignedParts {
  /** The URL path alone, as sent. */
  readonly path: string
  /** The decoded query pairs, in any order. */
  readonly query: Iterable<readonly [string, string]>
  /** Exactly the string sent in `x-azurecdn-request-date`. */
  readonly date: string
  readonly method: string
}

/** `{path}\r\n{sorted query pairs}\r\n{request date}\r\n{METHOD}` */
export const stringToSign = (parts: SignedParts): string =>
  joinParts(parts.path, canonicalQuery(parts.query), parts.date, parts.method)

/** The same, with the query already canonical (`canonicalQuery`), for a caller that sends the same query each time. */
export const joinParts = (path: string, query: string, date: string, method: string): string =>
  `${path}\r\n${query}\r\n${date}\r\n${method.toUpperCase()}`

// The key's bytes made once per key: HMAC with a KeyObject skips encoding the key string on every signature.
const secretKeys = new WeakMap<Redacted.Redacted<string>, KeyObject>()
const secretKeyOf = (keyValue: Redacted.Redacted<string>): KeyObject => {
  let key = secretKeys.get(keyValue)
  if (key === undefined) {
    key = createSecretKey(Buffer.from(Redacted.value(keyValue), "utf8"))
    secretKeys.set(keyValue, key)
  }
  return key
}

/** HMAC-SHA256 keyed with the key value's UTF-8 bytes, as 64 upper-case hex digits. */
export const signature = (keyValue: Redacted.Redacted<string>, text: string): string =>
  createHmac("sha256", secretKeyOf(keyValue)).update(text, "utf8").digest("hex").toUpperCase()

/** `AzureCDN {keyId}:{signature}` */
export const authorization = (keyId: string, sig: string): string => `AzureCDN ${keyId}:${sig}`

/**
 * The `Authorization` value of one attempt: the path, the query already canonical (`canonicalQuery`, once per
 * call), the date sent and the method. `CdnClient` calls this for every attempt it sends.
 */
export const signAttempt = (
  keyId: string,
  keyValue: Redacted.Redacted<string>,
  path: string,
  query: string,
  date: string,
  method: string
): string => authorization(keyId, signature(keyValue, joinParts(path, query, date, method)))

/** The two headers that sign a request. */
export type SignatureHeaders = {
  readonly [requestDateHeader]: string
  readonly authorization: string
}

const headers = (keyId: string, keyValue: Redacted.Redacted<string>, text: string, date: string): SignatureHeaders => ({
  "x-azurecdn-request-date": date,
  authorization: authorization(keyId, signature(keyValue, text))
})

/** The two headers that sign a request to `url` with `method` at `date`. */
export const signUrl = (
  url: URL,
  method: string,
  date: string,
  keyId: string,
  keyValue: Redacted.Redacted<string>
): SignatureHeaders => headers(keyId, keyValue, joinParts(url.pathname, canonicalSearch(url), date, method), date)

// A path made only of these characters, with no dot segments, is sent exactly as written.
const plainPath = /^\/[A-Za-z0-9\-_~!$&'()*,;=:@/]*$/
const origin = /^https?:\/\/[^/?#]+/

/** The path of a request URL without a query or fragment, when it goes on the wire as written; else undefined. */
const plainPathOf = (url: string): string | undefined => {
  const host = origin.exec(url)
  const path = host === null ? undefined : url.slice(host[0].length) || "/"
  return path !== undefined && plainPath.test(path) && !path.includes("/.") ? path : undefined
}

/**
 * Signs an `HttpClientRequest` at `date`: the path and query exactly as they will be sent. A caller that
 * built the URL from a plain path may pass it as `knownPath` to spare the check.
 */
export const signRequest = (
  request: HttpClientRequest.HttpClientRequest,
  date: string,
  keyId: string,
  keyValue: Redacted.Redacted<string>,
  knownPath?: string
): HttpClientRequest.HttpClientRequest => {
  const path = knownPath ?? plainPathOf(request.url)
  if (path !== undefined) {
    // The usual case: a plain URL with its parameters in urlParams, already decoded: no URL to parse.
    const text = joinParts(path, canonicalQuery(request.urlParams), date, request.method)
    return HttpClientRequest.setHeaders(request, headers(keyId, keyValue, text, date))
  }
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  if (Either.isLeft(url)) return request
  return HttpClientRequest.setHeaders(request, signUrl(url.right, request.method, date, keyId, keyValue))
}

/** Signs requests with the current time, corrected by what the client learnt of the service's clock. */
export class Signer extends Effect.Service<Signer>()("@org/cdn-core/Signer", {
  effect: Effect.gen(function* () {
    const config = yield* CdnConfig
    // Milliseconds to add to the local clock to get the service's, learnt from a refused date.
    const skew = yield* Ref.make(0)

    /** Signs one attempt: the date is read now, so a retried request never reuses an old date. */
    const sign = (request: HttpClientRequest.HttpClientRequest, knownPath?: string) =>
      Effect.gen(function* () {
        const now = (yield* Clock.currentTimeMillis) + (yield* Ref.get(skew))
        return signRequest(request, formatRequestDate(now), config.keyId, config.keyValue, knownPath)
      })

    /** Records the service's clock from a response `Date` header; true when the correction changed. */
    const learnServerTime = (serverDate: string) =>
      Effect.gen(function* () {
        const server = Date.parse(serverDate)
        if (Number.isNaN(server)) return false
        const offset = server - (yield* Clock.currentTimeMillis)
        const previous = yield* Ref.getAndSet(skew, offset)
        return Math.abs(previous - offset) >= 1000
      })

    return { sign, learnServerTime, skew: Ref.get(skew) } as const
  })
}) {}
