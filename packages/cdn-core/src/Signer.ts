/**
 * How a request is signed. The rule's public faces are the string to sign and the signature; `Signer` is the service
 * that signs every attempt the client sends, so a layer that replaces it changes how every request is signed.
 */
import { Effect, type Redacted } from "effect"
import { CdnConfig } from "./CdnConfig.js"
import { canonicalQuery, hmac, hmacWith, joinParts, secretKeyOf, upperMethod } from "./internal/signing.js"

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

/** What a signature covers. */
export interface SignedParts {
  /** The URL path alone, as sent. */
  readonly path: string
  /** The decoded query pairs, in any order; a repeated name counts once, with its first value. */
  readonly query: Iterable<readonly [string, string]>
  /** Exactly the string sent in `x-azurecdn-request-date`. */
  readonly date: string
  readonly method: string
}

/** `{path}\r\n{sorted query pairs}\r\n{request date}\r\n{METHOD}` */
export const stringToSign = (parts: SignedParts): string =>
  joinParts(parts.path, canonicalQuery(parts.query), parts.date, parts.method)

/** HMAC-SHA256 of `text` keyed with the key value's UTF-8 bytes (as given, never decoded), as upper-case hex. */
export const signature = (keyValue: Redacted.Redacted<string>, text: string): string => hmac(keyValue, text)

/** The two headers that sign a request. */
export type SignatureHeaders = {
  readonly [requestDateHeader]: string
  readonly authorization: string
}

/** One attempt to sign: what goes on the wire, without the date (the signer picks it). */
export interface Attempt {
  /** The URL path alone, as sent (the base URL's own path included). */
  readonly path: string
  /** The query pairs, decoded. */
  readonly query: Iterable<readonly [string, string]>
  readonly method: string
}

export interface SignerShape {
  /**
   * The headers that sign `attempt`, dated `now` (epoch ms on the local clock) corrected by what was learnt of the
   * service's clock. Called once for every attempt the client sends.
   */
  readonly sign: (attempt: Attempt, now: number) => SignatureHeaders
  /** Learns the service's clock from a response `Date` header at `now`; true when the correction changed. */
  readonly learnServerTime: (serverDate: string, now: number) => boolean
}

/** Signs with `CdnConfig`'s key, as the signing rule says. */
export const make = Effect.map(CdnConfig, (config): SignerShape => {
  // Milliseconds to add to the local clock to get the service's, learnt from a refused date. One client's attempts
  // run one after another; a race between two would only pick one of two readings of the same clock.
  let skew = 0
  const prefix = `AzureCDN ${config.keyId}:`
  // The key's bytes, made once for this signer: nothing is looked up per signature.
  const secret = secretKeyOf(config.keyValue)
  // The attempts of one call differ only by their date: the path and query part of the last one signed is kept.
  let lastAttempt: Attempt | undefined
  let lastHead = ""
  return {
    sign: (attempt, now) => {
      const date = formatRequestDate(now + skew)
      if (attempt !== lastAttempt) {
        lastHead = `${attempt.path}\r\n${canonicalQuery(attempt.query)}\r\n`
        lastAttempt = attempt
      }
      const text = `${lastHead}${date}\r\n${upperMethod(attempt.method)}`
      return { "x-azurecdn-request-date": date, authorization: prefix + hmacWith(secret, text) }
    },
    learnServerTime: (serverDate, now) => {
      const server = Date.parse(serverDate)
      if (Number.isNaN(server)) return false
      const previous = skew
      skew = server - now
      return Math.abs(previous - skew) >= 1000
    }
  }
})

/** Signs every attempt of the client. `Signer.Default` uses `CdnConfig`'s key; replace it to sign otherwise. */
export class Signer extends Effect.Service<Signer>()("@org/cdn-core/Signer", { effect: make }) {}
