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
  const first = new Map<string, string>()
  for (const [name, value] of params) if (!first.has(name)) first.set(name, value)
  // Most calls carry apiVersion alone: no sort needed.
  if (first.size === 1) for (const [name, value] of first) return `${name}:${value}`
  let out = ""
  for (const name of [...first.keys()].sort(ordinal)) out += `${out === "" ? "" : ", "}${name}:${first.get(name)}`
  return out
}

/** `{path}\r\n{query}\r\n{date}\r\n{METHOD}`, the query already canonical. */
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
export const hmac = (keyValue: Redacted.Redacted<string>, text: string): string =>
  createHmac("sha256", secretKeyOf(keyValue)).update(text, "utf8").digest("hex").toUpperCase()
