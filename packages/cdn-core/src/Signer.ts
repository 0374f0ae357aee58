/**
 * How a request is signed: the pure string-to-sign and date format, and the service that signs each attempt.
 */

import { createHmac } from "node:crypto"
import { HttpClientRequest, UrlParams } from "@effect/platform"
import { Clock, Effect, Either, Redacted, Ref } from "effect"
import { CdnConfig } from "./CdnConfig.js"

/** The header that carries the request time. */
export const requestDateHeader = "x-azurecdn-request-date"

const pad = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/** The request date: UTC, `yyyy-MM-dd HH:mm:ss`, zero-padded, 24-hour clock. */
export const formatRequestDate = (epochMillis: number): string => {
  const d = new Date(epochMillis)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/**
 * The query part of the string to sign: `name:value` pairs with decoded values, a repeated name once with
 * its first value, sorted by name in ordinal (UTF-16 code unit) order, joined with ", ".
 */
export const canonicalQuery = (params: Iterable<readonly [string, string]>): string => {
  const first = new Map<string, string>()
  for (const [name, value] of params) if (!first.has(name)) first.set(name, value)
  const names = [...first.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  let out = ""
  for (let i = 0; i < names.length; i++) out += `${i === 0 ? "" : ", "}${names[i]}:${first.get(names[i])}`
  return out
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
  `${parts.path}\r\n${canonicalQuery(parts.query)}\r\n${parts.date}\r\n${parts.method.toUpperCase()}`

/** HMAC-SHA256 keyed with the key value's UTF-8 bytes, as 64 upper-case hex digits. */
export const signature = (keyValue: Redacted.Redacted<string>, text: string): string =>
  createHmac("sha256", Redacted.value(keyValue)).update(text, "utf8").digest("hex").toUpperCase()

/** `AzureCDN {keyId}:{signature}` */
export const authorization = (keyId: string, sig: string): string => `AzureCDN ${keyId}:${sig}`

/** The two headers that sign a request to `url` with `method` at `date`. */
export const signUrl = (
  url: URL,
  method: string,
  date: string,
  keyId: string,
  keyValue: Redacted.Redacted<string>
): { readonly [requestDateHeader]: string; readonly authorization: string } => {
  const text = stringToSign({ path: url.pathname, query: url.searchParams, date, method })
  return { [requestDateHeader]: date, authorization: authorization(keyId, signature(keyValue, text)) }
}

/** Signs requests with the current time, corrected by what the client learnt of the service's clock. */
export class Signer extends Effect.Service<Signer>()("@org/cdn-core/Signer", {
  effect: Effect.gen(function* () {
    const config = yield* CdnConfig
    // Milliseconds to add to the local clock to get the service's, learnt from a refused date.
    const skew = yield* Ref.make(0)

    /** Signs one attempt: the date is read now, so a retried request never reuses an old date. */
    const sign = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.gen(function* () {
        const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
        if (Either.isLeft(url)) return request
        const now = (yield* Clock.currentTimeMillis) + (yield* Ref.get(skew))
        const headers = signUrl(url.right, request.method, formatRequestDate(now), config.keyId, config.keyValue)
        return HttpClientRequest.setHeaders(request, headers)
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
