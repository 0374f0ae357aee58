// Signatures per second: cdn-core's signer beside a bare crypto.createHmac loop, in the same process and run.
import { createHmac } from "node:crypto"
import { HttpClientRequest } from "@effect/platform"
import { Signer } from "@org/cdn-core"
import { Redacted } from "effect"
import { compare, fmt, table } from "./measure.mjs"

const key = "a-key-value-from-the-portal"
const keyValue = Redacted.make(key)
const url = new URL(
  "https://restapi.cdn.azure.cn/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/operations/a97459bf-e4c4-4d4f-94e4-b775f0f09f31?apiVersion=1.0"
)
const date = "2017-05-02 06:34:07"
const text = `${url.pathname}\r\napiVersion:1.0\r\n${date}\r\nGET`

const request = HttpClientRequest.get(`${url.origin}${url.pathname}`, { urlParams: { apiVersion: "1.0" } })

const path = url.pathname
// CdnClient canonicalises a call's query once, not per attempt: only the date changes between attempts.
const apiVersionQuery = Signer.canonicalQuery([["apiVersion", "1.0"]])
const volumePath =
  "/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/volume"
const volumeQuery = Signer.canonicalQuery([
  ["apiVersion", "1.0"],
  ["granularity", "PerHour"],
  ["startTime", "2024-01-01T00:00:00Z"],
  ["endTime", "2024-01-02T00:00:00Z"]
])

let sink = 0
const results = compare({
  // The floor: HMAC-SHA256 over a ready string to sign, hex-encoded; nothing else.
  "bare crypto.createHmac loop": () => {
    sink ^= createHmac("sha256", key).update(text, "utf8").digest("hex").length
  },
  // Signer.signAttempt, the function CdnClient calls for every attempt: string to sign, HMAC, hex, the header.
  "cdn-core Signer.signAttempt (CdnClient)": () => {
    sink ^= Signer.signAttempt("key-id", keyValue, path, apiVersionQuery, date, "GET").length
  },
  // The same for a traffic call, whose query holds four parameters (canonicalised once per call, as CdnClient does).
  "cdn-core Signer.signAttempt, traffic query": () => {
    sink ^= Signer.signAttempt("key-id", keyValue, volumePath, volumeQuery, date, "GET").length
  },
  // Any URL: the path and query read from a URL, the query canonicalised, then the same.
  "cdn-core Signer.signUrl": () => {
    sink ^= Signer.signUrl(url, "GET", date, "key-id", keyValue).authorization.length
  },
  // An HttpClientRequest, for callers of the Signer service: the same, plus a new request value with its headers.
  "cdn-core Signer.signRequest": () => {
    sink ^= Signer.signRequest(request, date, "key-id", keyValue).headers.authorization.length
  },
  // With the request date formatted for each attempt (a new second every time: the cache never hits).
  "cdn-core signUrl + formatRequestDate": (i) => {
    const at = Signer.formatRequestDate(1493706847000 + i * 1000)
    sink ^= Signer.signUrl(url, "GET", at, "key-id", keyValue).authorization.length
  }
})

console.log("\n## Signing: signatures per second (median of 9 interleaved rounds)")
table(results.map((r) => ({ what: r.name, "sig/s": fmt(r.opsPerSecond), "ratio to bare": fmt(r.ratio, 2) })))
// The goal is on what every request pays; the other rows show what parsing a URL, building a request value and
// formatting a fresh date add on top.
const [, perAttempt, , anyUrl] = results
console.log(
  `goal: ${perAttempt.name} / bare >= 0.80 -> ${perAttempt.ratio >= 0.8 ? "met" : "NOT met"} (${fmt(perAttempt.ratio, 2)})`
)
console.log(`(for comparison: ${anyUrl.name} / bare = ${fmt(anyUrl.ratio, 2)})`)
if (sink === 0.5) console.log(sink)
