/**
 * Writes as a careless or hostile caller sends them, drawn with a seed so that a failing case can be replayed: a valid
 * body from the call's own payload schema (its arbitrary), then one change whose effect on validity is known without
 * asking the schema: spellings the service's binder reads (keys in any case, flags as "true", TTL as digits, a BOM)
 * keep it valid; an unknown or doubled key, an undocumented enumeration value, a wrong type, a hostile URL, bytes
 * that are not UTF-8, a missing or null required field make it invalid.
 */
import { CdnApi } from "@org/cdn-core"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import type { Pair } from "../../../packages/cdn-core/test/certificates.js"

export const subscriptionId = "5dd0413d-a2f9-442a-b836-128d87753fa9"
export const endpointId = "46fecf3c-e874-49aa-891d-0d4dc93213e0"

/** The calls that carry a body. */
export const writes = [
  "purge",
  "preload",
  "createEndpoint",
  "updateEndpoint",
  "setCacheRules",
  "setAccessControl",
  "bindCertificate",
  "uploadCertificate"
] as const
export type Write = (typeof writes)[number]

export interface HostileWrite {
  readonly call: Write
  readonly method: string
  readonly path: string
  /** What is sent. */
  readonly bytes: Uint8Array
  /** Whether the service could read it exactly. */
  readonly valid: boolean
  /** What was done to the body, to name a failing case. */
  readonly change: string
  /** The valid body it was made from: what a valid write must arrive upstream as. */
  readonly original: unknown
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)
const encoder = new TextEncoder()
const text = (value: unknown) => encoder.encode(JSON.stringify(value))

// Every object in a body, the body first.
const objectsIn = (value: unknown): Array<Json> =>
  Array.isArray(value)
    ? value.flatMap(objectsIn)
    : isObject(value)
      ? [value, ...Object.values(value).flatMap(objectsIn)]
      : []

// Every string in a body with the object and key that hold it (list items: the list's holder and key).
const stringsIn = (
  value: unknown,
  holder?: Json,
  key?: string
): Array<{ holder: Json; key: string; index?: number }> => {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      typeof item === "string" && holder !== undefined && key !== undefined
        ? [{ holder, key, index }]
        : stringsIn(item, holder, key)
    )
  }
  if (!isObject(value))
    return typeof value === "string" && holder !== undefined && key !== undefined ? [{ holder, key }] : []
  return Object.entries(value).flatMap(([k, v]) => stringsIn(v, value, k))
}

const mapKeys = (value: unknown, rename: (key: string) => string): unknown =>
  Array.isArray(value)
    ? value.map((item) => mapKeys(item, rename))
    : isObject(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), mapKeys(v, rename)]))
      : value

const mapValues = (value: unknown, change: (value: unknown, key: string) => unknown, key = ""): unknown =>
  Array.isArray(value)
    ? value.map((item) => mapValues(item, change, key))
    : isObject(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapValues(v, change, k)]))
      : change(value, key)

const hostileUrls = [
  "http://file.example.cn/a.png\r\nX-Injected: 1",
  "http://file.example.cn/a\tb.png",
  "http://file.example.cn/a\u0000.png",
  "http://file.example.cn/a\u007f.png",
  "http://file.example.cn/a b.png",
  "http://file.example.cn/a\u3000b.png",
  "http://cdn.example.cn@evil.example/a.png",
  "http://user:pass@file.example.cn/a.png",
  "http://*.example.cn/a.png",
  "ftp://file.example.cn/a.png",
  "javascript:alert(1)",
  "http://file.example.cn/a/../../etc/passwd",
  "http://file.example.cn/a/%2e%2e/b",
  "http://file.example.cn/a/%2E./b",
  "http://file.example.cn/a%2fb",
  "http://file.example.cn\\..\\a.png",
  "/relative/a.png",
  ` http://file.example.cn/a.png`,
  `http://file.example.cn/${"a".repeat(4100)}`
]
// Stands where bytes that are not UTF-8 go: no drawn body holds it.
const marker = "zq9xj7marker"
const badFlags = ["True", "FALSE", "yes", 1, 0, "1", null, [], {}]
const badEnums: Record<string, ReadonlyArray<unknown>> = {
  UpdateFlag: ["Everything", 1, "origin", "Origin,HostHeader,Origin", "HostHeader,Origin", ""],
  ServiceType: ["web", "Video", 3, ""],
  RefererControlType: ["Allow", "allowlist", "Whitelist", 0],
  Type: ["Regex", "dir", "Prefix", 1],
  OriginProtocol: ["Ftp", "http", true]
}

// One change of each kind, applied to `body` with `rng`; undefined when it does not fit this body.
type Change = (body: Json, rng: () => number) => { bytes: Uint8Array; change: string } | undefined
const pick = <A>(list: ReadonlyArray<A>, rng: () => number): A => list[Math.floor(rng() * list.length)] as A

const keep: ReadonlyArray<Change> = [
  (body) => ({ bytes: text(body), change: "as it is" }),
  (body) => ({ bytes: text(mapKeys(body, (k) => k.toLowerCase())), change: "keys in lower case" }),
  (body) => ({ bytes: text(mapKeys(body, (k) => k.toUpperCase())), change: "keys in upper case" }),
  (body) => ({
    bytes: text(mapValues(body, (v) => (typeof v === "boolean" ? String(v) : v))),
    change: 'flags as "true"/"false"'
  }),
  (body) => ({
    bytes: text(mapValues(body, (v, k) => (k === "TTL" && typeof v === "number" ? String(v) : v))),
    change: "TTL as digits"
  }),
  (body) => ({
    bytes: Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode(JSON.stringify(body, null, 2))]),
    change: "a BOM and pretty printing"
  })
]

const breaks: ReadonlyArray<Change> = [
  (body, rng) => {
    const target = pick(objectsIn(body), rng)
    target.Extra = 1
    return { bytes: text(body), change: "an unknown key" }
  },
  (body) => {
    const [first] = Object.keys(body)
    if (first === undefined) return undefined
    const raw = JSON.stringify(body)
    return { bytes: encoder.encode(`{${JSON.stringify(first)}:null,${raw.slice(1)}`), change: `${first} given twice` }
  },
  (body, rng) => {
    const target = pick(
      objectsIn(body).filter((o) => Object.keys(o).length > 0),
      rng
    )
    const key = pick(Object.keys(target), rng)
    target[key.toLowerCase() === key ? key.toUpperCase() : key.toLowerCase()] = target[key]
    return { bytes: text(body), change: `${key} given twice in two casings` }
  },
  (body, rng) => {
    const holders = objectsIn(body).filter((o) => Object.keys(o).some((k) => k in badEnums))
    if (holders.length === 0) return undefined
    const target = pick(holders, rng)
    const key = Object.keys(target).find((k) => k in badEnums) as string
    target[key] = pick(badEnums[key] as ReadonlyArray<unknown>, rng)
    return { bytes: text(body), change: `${key} ${JSON.stringify(target[key])}` }
  },
  (body, rng) => {
    const flags = objectsIn(body).flatMap((o) =>
      Object.keys(o)
        .filter((k) => typeof o[k] === "boolean")
        .map((k) => [o, k] as const)
    )
    if (flags.length === 0) return undefined
    const [target, key] = pick(flags, rng)
    target[key] = pick(badFlags, rng)
    return { bytes: text(body), change: `${key} ${JSON.stringify(target[key])}` }
  },
  (body, rng) => {
    // A wrong type: a list for a string, a string for a list, a number for either, a list for an object.
    const target = pick(
      objectsIn(body).filter((o) => Object.keys(o).length > 0),
      rng
    )
    const key = pick(Object.keys(target), rng)
    const value = target[key]
    target[key] = Array.isArray(value)
      ? pick([String(value[0] ?? "x"), 7, {}], rng)
      : isObject(value)
        ? pick([[value], "x", 7], rng)
        : pick([[value], 7, { value }], rng)
    if (typeof value === "number" && typeof target[key] === "number") target[key] = [value]
    return { bytes: text(body), change: `${key} of the wrong type` }
  },
  (body, rng) => {
    const urls = stringsIn(body).filter(({ key }) => key === "Files" || key === "Directories")
    if (urls.length === 0) return undefined
    const at = pick(urls, rng)
    const url = pick(hostileUrls, rng)
    ;(at.holder[at.key] as Array<string>)[at.index ?? 0] = url
    return { bytes: text(body), change: `the URL ${JSON.stringify(url.slice(0, 60))}` }
  },
  (body, rng) => {
    // Bytes that are not UTF-8 inside a string: never read as U+FFFD.
    const strings = stringsIn(body)
    if (strings.length === 0) return undefined
    const at = pick(strings, rng)
    const holder = at.holder[at.key]
    if (Array.isArray(holder)) holder[at.index ?? 0] = `${holder[at.index ?? 0]}${marker}`
    else at.holder[at.key] = `${holder}${marker}`
    const [before, after] = JSON.stringify(body).split(marker) as [string, string]
    const bad = pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]], rng)
    return {
      bytes: Uint8Array.from([...encoder.encode(before), ...bad, ...encoder.encode(after)]),
      change: "bytes that are not UTF-8"
    }
  }
]

const required: Record<Write, ReadonlyArray<string>> = {
  purge: [],
  preload: ["Files"],
  createEndpoint: ["CustomDomain", "ICP", "Origin", "ServiceType"],
  updateEndpoint: ["EndpointSettings", "UpdateFlag"],
  setCacheRules: ["Rules"],
  setAccessControl: [],
  bindCertificate: ["CertificateId", "EndpointId"],
  uploadCertificate: ["PublicCertificate", "PrivateKey"]
}

/** `count` writes drawn with `seed`, about half of them valid. */
export const hostileWrites = (count: number, seed: number, pairs: ReadonlyArray<Pair>): Array<HostileWrite> => {
  const rng = (() => {
    let state = seed >>> 0 || 1
    return () => {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      return (state >>> 0) / 4_294_967_296
    }
  })()
  const bodies = Object.fromEntries(
    writes.map((name) => {
      const call = CdnApi.calls[name] as CdnApi.AnyCall
      const encode = Schema.encodeUnknownSync(call.payload as Schema.Schema<unknown, unknown>)
      const drawn =
        name === "uploadCertificate"
          ? pairs.map((pair, i) => ({
              PublicCertificate: pair.certificate,
              PrivateKey: pair.key,
              ...(i % 2 === 0 ? { CertificateName: `site-${i}` } : {})
            }))
          : fc
              .sample(Arbitrary.make(call.payload as Schema.Schema<unknown, unknown>), {
                seed,
                numRuns: Math.max(8, Math.ceil(count / 8))
              })
              .map((value) => JSON.parse(JSON.stringify(encode(value))))
      return [name, drawn as Array<Json>]
    })
  ) as Record<Write, Array<Json>>
  const out: Array<HostileWrite> = []
  for (let i = 0; i < count; i++) {
    const name = writes[i % writes.length] as Write
    const original = pick(bodies[name], rng)
    const body = structuredClone(original)
    const valid = rng() < 0.45
    let made: { bytes: Uint8Array; change: string } | undefined
    if (valid) made = pick(keep, rng)(body, rng)
    else {
      const kinds = [
        ...breaks,
        ...required[name].map(
          (key): Change =>
            (b, r) => {
              if (r() < 0.5) delete b[key]
              else b[key] = null
              return { bytes: text(b), change: `${key} missing or null` }
            }
        )
      ]
      for (let tries = 0; made === undefined && tries < 20; tries++)
        made = pick(kinds, rng)(structuredClone(original), rng)
    }
    if (made === undefined) continue
    const call = CdnApi.calls[name] as CdnApi.AnyCall
    const params: Record<string, string> = { subscriptionId, endpointId }
    out.push({
      call: name,
      method: call.method,
      path: CdnApi.pathOf(call, params),
      bytes: made.bytes,
      valid,
      change: made.change,
      original
    })
  }
  return out
}
