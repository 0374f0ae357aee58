/**
 * Hostile writes through the proxy to a recording upstream, seeded: no 5xx, no invalid write ever reaches the
 * upstream, every valid one arrives exactly once and means what it meant, and no answer repeats a private key.
 * `PROXY_FUZZ_CASES` sets how many (the bench runs thousands).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { CdnApi } from "@org/cdn-core"
import { Either, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeCa } from "../../../packages/cdn-core/test/certificates.js"
import { endpointId, hostileWrites, subscriptionId } from "./hostileWrites.js"
import { allLines, type Emulator, leakedSecrets, type RunningProxy, startProxy } from "./support.js"

// A token with every permission: what stops a write here is only what the write says.
const admin = "fuzz-admin-token-0123456789abcdef"
const cases = Number(process.env.PROXY_FUZZ_CASES ?? 400)
const seed = Number(process.env.PROXY_FUZZ_SEED ?? 20261205)

interface Recorded {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly bytes: Buffer
}

const recorded: Array<Recorded> = []
let upstream: Server
let proxy: RunningProxy
const ca = makeCa()
const pairs = [ca.valid("cdn.example.cn"), ca.traditional(ca.valid("ec.example.cn"))]

const endpointAnswer = {
  EndpointId: endpointId,
  Settings: { CustomDomain: "a.example.cn", Host: "a.example.cn", Origin: { Addresses: ["o.example.cn"] } },
  Status: { Enabled: false, LifetimeStatus: "Creating" }
}

beforeAll(async () => {
  // Takes any signed write, keeps it, and answers as the service would accept it.
  upstream = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const [path = "", query = ""] = (request.url ?? "").split("?")
      recorded.push({ method: request.method ?? "", path, query, bytes: Buffer.concat(chunks) })
      const answer = path.endsWith("/https/certificates")
        ? [200, { CertificateId: "c1", CertificateName: "site", SubscriptionId: subscriptionId }]
        : request.method === "POST" && path.endsWith("/endpoints")
          ? [202, endpointAnswer]
          : [
              202,
              {
                Succeeded: true,
                IsAsync: true,
                AsyncInfo: { TaskTrackId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31", TaskStatus: "Processing" }
              }
            ]
      response.writeHead(answer[0] as number, { "content-type": "application/json", "x-correlation-id": "corr" })
      response.end(JSON.stringify(answer[1]))
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
  proxy = await startProxy({ url } as Emulator, {
    AZURE_CDN_MAX_ATTEMPTS: "1",
    PROXY_TOKENS: JSON.stringify([{ name: "admin", token: admin, permissions: ["read", "purge", "manage"] }])
  })
})
afterAll(async () => {
  expect(await proxy.stop()).toBe(0)
  await new Promise<void>((resolve) => upstream.close(() => resolve()))
  expect(leakedSecrets(allLines)).toEqual([])
})

// What a request means, read as the service reads it (keys as Redacted text, so that they compare).
const meaning = (name: CdnApi.CallName, path: string, body: unknown) => {
  const call = CdnApi.calls[name] as CdnApi.AnyCall
  const found = CdnApi.match(call.method, path)
  if (found === undefined || found === "method") return Either.left(`no call at ${path}`)
  const read = CdnApi.readRequest(call, { params: found.params, query: "", body })
  return Either.map(
    Either.mapLeft(read, (refused) => refused.message),
    (input) =>
      Object.fromEntries(
        Object.entries(input as object).map(([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v])
      )
  )
}

const keyPieces = pairs.flatMap((pair) => {
  const body = pair.key.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")
  return Array.from({ length: Math.floor(body.length / 16) }, (_, i) => body.slice(i * 16, i * 16 + 16))
})

describe(`${cases} seeded hostile writes (seed ${seed}) through the proxy to a recording upstream`, () => {
  it("0 × 5xx, 0 invalid writes upstream, every valid one forwarded once and unchanged in meaning", async () => {
    const writes = hostileWrites(cases, seed, pairs)
    const problems: Array<string> = []
    let fiveHundreds = 0
    let forwarded = 0
    let valid = 0
    for (const [i, write] of writes.entries()) {
      const before = recorded.length
      const response = await fetch(`${proxy.url}${write.path}?apiVersion=1.0`, {
        method: write.method,
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: Buffer.from(write.bytes)
      })
      const text = await response.text()
      const arrived = recorded.slice(before)
      const name = `#${i} ${write.call} (${write.change})`
      if (response.status >= 500) fiveHundreds += 1
      if (keyPieces.some((piece) => text.includes(piece))) problems.push(`${name}: the answer repeats a private key`)
      if (write.valid) valid += 1
      if (!write.valid) {
        if (arrived.length > 0) problems.push(`${name}: an invalid write reached the upstream`)
        if (response.status !== 400)
          problems.push(`${name}: answered ${response.status}, not 400: ${text.slice(0, 200)}`)
        continue
      }
      if (response.status >= 300 || arrived.length !== 1) {
        problems.push(
          `${name}: answered ${response.status} with ${arrived.length} upstream calls: ${text.slice(0, 200)}`
        )
        continue
      }
      forwarded += 1
      const [sent] = arrived as [Recorded]
      // The upstream reads what arrived as strictly as the proxy read what it was sent, and finds the same meaning.
      const got = meaning(write.call, sent.path, JSON.parse(sent.bytes.toString("utf8")))
      const meant = meaning(write.call, write.path, write.original)
      if (Either.isLeft(got)) problems.push(`${name}: upstream cannot read what arrived: ${got.left}`)
      else expect(got).toEqual(meant)
    }
    console.log(
      `writes fuzz: ${writes.length} writes (${valid} valid), ${forwarded} forwarded, ${fiveHundreds} x 5xx, ${problems.length} problems`
    )
    expect(problems).toEqual([])
    expect(fiveHundreds).toBe(0)
    expect(forwarded).toBe(valid)
    expect(valid).toBeGreaterThan(writes.length / 3)
    expect(writes.length).toBeGreaterThan(cases * 0.9)
  })
})
