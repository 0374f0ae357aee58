/**
 * The pieces of the signing rule that are not API: the canonical query, the string to sign from its parts, the HMAC
 * key cached per key value. `Signer` is the one place that puts them together.
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto"
import { Redacted } from "effect"

const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The query part of the string to sign: `name:value` pairs with decoded values, a repeated name once with
 * its first value, sorted by name in ordinal (UTF-16 code unit) order, joined with ", ".
 */
export const canonicalQuery = (params: Iterable<readonly [string, string]>): string => {
  const pairs = Array.isArray(params) ? (params as ReadonlyArray<readonly [string, string]>) : [...params]
  // Most calls carry apiVersion alone: one pair, nothing to sort or keep once.
  if (pairs.length === 1) {
    const [name, value] = pairs[0] as readonly [string, string]
    // 17 of the 21 calls carry exactly this: a constant, flat string to hash.
    return name === "apiVersion" && value === "1.0" ? "apiVersion:1.0" : `${name}:${value}`
  }
  // A stable sort keeps a repeated name's first value first; the later ones are skipped.
  const sorted = [...pairs].sort((a, b) => ordinal(a[0], b[0]))
  let out = ""
  let previous: string | undefined
  for (const [name, value] of sorted) {
    if (name === previous) continue
    out += `${previous === undefined ? "" : ", "}${name}:${value}`
    previous = name
  }
  return out
}

// The API's methods are sent in upper case already: only another spelling is converted.
export const upperMethod = (method: string): string =>
  method === "GET" || method === "POST" || method === "PUT" || method === "DELETE" ? method : method.toUpperCase()

/** `{path}\r\n{query}\r\n{date}\r\n{METHOD}`, the query already canonical. */
export const joinParts = (path: string, query: string, date: string, method: string): string =>
  `${path}\r\n${query}\r\n${date}\r\n${upperMethod(method)}`

// The key's bytes made once per key: HMAC with a KeyObject skips encoding the key string on every signature.
const secretKeys = new WeakMap<Redacted.Redacted<string>, KeyObject>()
export const secretKeyOf = (keyValue: Redacted.Redacted<string>): KeyObject => {
  let key = secretKeys.get(keyValue)
  if (key === undefined) {
    key = createSecretKey(Buffer.from(Redacted.value(keyValue), "utf8"))
    secretKeys.set(keyValue, key)
  }
  return key
}

/** HMAC-SHA256 keyed with the key's bytes, as 64 upper-case hex digits. */
export const hmacWith = (key: KeyObject, text: string): string =>
  createHmac("sha256", key).update(text, "utf8").digest("hex").toUpperCase()

/** The same, keyed with the key value's UTF-8 bytes. */
export const hmac = (keyValue: Redacted.Redacted<string>, text: string): string => hmacWith(secretKeyOf(keyValue), text)
