// Signatures per second: cdn-core's signer beside a bare crypto.createHmac loop, in the same process and run.
import { createHmac } from "node:crypto"
import { CdnConfig, Signer } from "@org/cdn-core"
import { Effect, Layer, Redacted } from "effect"
import { compare, fmt, table } from "./measure.mjs"

const key = "a-key-value-from-the-portal"
const keyValue = Redacted.make(key)
const url = new URL(
  "https://restapi.cdn.azure.cn/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/operations/a97459bf-e4c4-4d4f-94e4-b775f0f09f31?apiVersion=1.0"
)
const date = "2017-05-02 06:34:07"
const at = Date.parse("2017-05-02T06:34:07Z")
const text = `${url.pathname}\r\napiVersion:1.0\r\n${date}\r\nGET`

// The Signer service as CdnClient gets it from its layer, and calls it for every attempt it sends.
const signer = Effect.runSync(
  Effect.provide(
    Signer.Signer,
    Signer.Signer.Default.pipe(Layer.provide(CdnConfig.layer({ keyId: "key-id", keyValue: key })))
  )
)
const operation = { path: url.pathname, query: [["apiVersion", "1.0"]], method: "GET" }
const volume = {
  path: "/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/volume",
  query: [
    ["apiVersion", "1.0"],
    ["granularity", "PerHour"],
    ["startTime", "2024-01-01T00:00:00Z"],
    ["endTime", "2024-01-02T00:00:00Z"]
  ],
  method: "GET"
}

let sink = 0
const results = compare({
  // The floor: HMAC-SHA256 over a ready string to sign, hex-encoded; nothing else.
  "bare crypto.createHmac loop": () => {
    sink ^= createHmac("sha256", key).update(text, "utf8").digest("hex").length
  },
  // Signer.sign, what CdnClient calls for every attempt (an attempt of a call it built once): the date, the string to
  // sign, HMAC, hex, the header.
  "cdn-core Signer service sign (CdnClient)": () => {
    sink ^= signer.sign(operation, at).authorization.length
  },
  // The same with the call built anew each time (its query array and attempt), as for a call's first attempt.
  "cdn-core Signer service sign, a new call each": () => {
    sink ^= signer.sign({ path: operation.path, query: [["apiVersion", "1.0"]], method: "GET" }, at).authorization
      .length
  },
  // The same for a traffic call, whose four parameters are sorted once per call.
  "cdn-core Signer service sign, traffic query": () => {
    sink ^= signer.sign({ path: volume.path, query: [...volume.query], method: "GET" }, at).authorization.length
  },
  // The public rule for any URL: its path and query read from a URL, the string to sign, the signature.
  "cdn-core stringToSign + signature of a URL": () => {
    const signed = Signer.stringToSign({ path: url.pathname, query: url.searchParams, date, method: "GET" })
    sink ^= Signer.signature(keyValue, signed).length
  },
  // With a new second every time: the request date's cache never hits.
  "cdn-core Signer service sign, a new second each": (i) => {
    sink ^= signer.sign(operation, at + i * 1000).authorization.length
  }
})

console.log("\n## Signing: signatures per second (median of 9 interleaved rounds)")
table(results.map((r) => ({ what: r.name, "sig/s": fmt(r.opsPerSecond), "ratio to bare": fmt(r.ratio, 2) })))
// The goal is on what every request pays; the other rows show what parsing a URL, building a request value and
// formatting a fresh date add on top.
const [, perAttempt, , anyUrl] = results
console.log(
  `goal: ${perAttempt.name} / bare >= 0.90 -> ${perAttempt.ratio >= 0.9 ? "met" : "NOT met"} (${fmt(perAttempt.ratio, 2)})`
)
console.log(`(for comparison: ${anyUrl.name} / bare = ${fmt(anyUrl.ratio, 2)})`)
if (sink === 0.5) console.log(sink)
