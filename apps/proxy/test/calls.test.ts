import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { makeCa } from "../../../packages/cdn-core/test/certificates.js"
import {
  allLines,
  call,
  type Emulator,
  errorBody,
  key,
  leakedSecrets,
  otherSubscription,
  type RunningProxy,
  seed,
  startEmulator,
  startProxy,
  upstreamCalls
} from "./support.js"

// Tokens of this file: one per permission set, one scoped to an endpoint.
const t = {
  reader: "reader-token-0123456789abcdef-s3cr3t",
  purger: "purger-token-0123456789abcdef-s3cr3t",
  admin: "admin-token-0123456789abcdef-s3cr3t",
  oneEndpoint: "endpoint-token-0123456789abcdef-s3cr3t"
}
const otherEndpoint = "66666666-7777-4888-9999-aaaaaaaaaaaa"
const tokens = JSON.stringify([
  { name: "reader", token: t.reader },
  { name: "purger", token: t.purger, permissions: ["read", "purge"] },
  { name: "admin", token: t.admin, permissions: ["read", "purge", "manage"] },
  { name: "one-endpoint", token: t.oneEndpoint, permissions: ["read", "purge"], endpoints: [seed.endpointId] }
])

let emulator: Emulator
let proxy: RunningProxy
const proxyEnv = {
  PROXY_TOKENS: tokens,
  PROXY_PURGE_DEDUPE_SECONDS: "60",
  // A certificate chain fits; the oversize test sends more.
  PROXY_MAX_BODY_BYTES: "4096",
  AZURE_CDN_MAX_ATTEMPTS: "3",
  AZURE_CDN_MAX_RETRY_TIME: "5 seconds",
  PROXY_CACHE_RUNNING_TTL: "1 millis"
}
const sub = `/subscriptions/${seed.subscriptionId}`
const ep = `${sub}/endpoints/${seed.endpointId}`
const a = "http://file.example.cn/pictures/a.png"

beforeAll(async () => {
  emulator = await startEmulator()
  proxy = await startProxy(emulator, proxyEnv)
})
afterAll(async () => {
  expect(await proxy.stop()).toBe(0)
  await emulator.close()
  expect(leakedSecrets(allLines).filter((line) => Object.values(t).some((token) => line.includes(token)))).toEqual([])
  expect(allLines.some((line) => line.includes(key.value))).toBe(false)
})
afterEach(() => {
  emulator.emulator.faults.clear()
  emulator.emulator.log.clear()
  // An endpoint change leaves the endpoint busy for a while: each test starts from the seed.
  emulator.emulator.store.reset()
})

const at = (path: string, query = "apiVersion=1.0") => `${proxy.url}${path}?${query}`

describe("the proxy forwards every call, signed", () => {
  it("reads: list, get, operation, traffic", async () => {
    for (const [path, query] of [
      [`${sub}/endpoints`, undefined],
      [ep, undefined],
      [`${ep}/operations/${seed.operationId}`, undefined],
      [
        `${ep}/volume`,
        "apiVersion=1.0&granularity=PerHour&startTime=2024-01-01T00:00:00Z&endTime=2024-01-02T00:00:00Z"
      ],
      [`${ep}/bandwidth`, "apiVersion=1.0&startTime=2024-01-01T00:00:00Z&endTime=2024-01-01T01:00:00Z"]
    ] as const) {
      const reply = await call(at(path, query), { token: t.reader })
      expect(reply.status, path).toBe(200)
    }
    expect(upstreamCalls(emulator).every((entry) => entry.signatureValid && entry.status === 200)).toBe(true)
  })

  it("purge and its results, preload and its results: 202 with the TaskTrackId, then the items", async () => {
    const purge = await call(at(`${ep}/purges`), { token: t.purger, method: "POST", body: { Files: [a] } })
    expect(purge.status).toBe(202)
    const id = (purge.json as { AsyncInfo: { TaskTrackId: string } }).AsyncInfo.TaskTrackId
    const items = await call(at(`${ep}/purges/${id}`), { token: t.reader })
    expect(items.json).toEqual({ Files: [{ Url: a, Status: "Running" }], Directories: [] })
    const preload = await call(at(`${ep}/preloads`), { token: t.purger, method: "POST", body: { Files: [a] } })
    expect(preload.status).toBe(202)
    const [post] = upstreamCalls(emulator, `${ep}/purges`)
    expect(post).toMatchObject({ method: "POST", signatureValid: true, status: 202 })
  })

  it("endpoint changes with the manage permission: update, disable, enable; create and delete", async () => {
    const update = await call(at(ep), {
      token: t.admin,
      method: "PUT",
      body: { EndpointSettings: { Host: "h.example.cn" }, UpdateFlag: "HostHeader" }
    })
    expect(update.status).toBe(202)
    const created = await call(at(`${sub}/endpoints`), {
      token: t.admin,
      method: "POST",
      body: { CustomDomain: "new.example.cn", ICP: "x", Origin: { Addresses: ["o.example.cn"] }, ServiceType: "Web" }
    })
    expect(created.status).toBe(202)
    const id = (created.json as { EndpointId: string }).EndpointId
    expect((await call(at(`${sub}/endpoints/${id}`), { token: t.admin, method: "DELETE" })).status).toBe(409)
    const methods = upstreamCalls(emulator).map((entry) => entry.method)
    expect(methods).toEqual(["PUT", "POST", "DELETE"])
  })
})

describe("configuration and HTTPS calls, under the manage permission", () => {
  it("cache rules set and read back; a certificate uploaded with its key, which no log line holds", async () => {
    const set = await call(at(`${ep}/cacherules`), {
      token: t.admin,
      method: "PUT",
      body: { Rules: [{ Type: "Dir", Items: ["/img/"], TTL: 600 }], IgnoreCacheControl: false }
    })
    expect(set.status).toBe(202)
    const read = await call(at(`${ep}/cacherules`), { token: t.reader })
    expect((read.json as { Rules: Array<unknown> }).Rules).toEqual([{ Type: "Dir", Items: ["/img/"], TTL: 600 }])
    const refused = await call(at(`${ep}/accesscontrol`), {
      token: t.purger,
      method: "PUT",
      body: { ForbiddenIps: ["1.2.3.4"] }
    })
    expect(refused.status).toBe(403)

    const pair = makeCa().valid("file.example.cn")
    const uploaded = await call(at(`${sub}/https/certificates`), {
      token: t.admin,
      method: "POST",
      body: { CertificateName: "site", PublicCertificate: pair.certificate, PrivateKey: pair.key, Format: "Pem" }
    })
    expect(uploaded.status).toBe(200)
    expect(uploaded.text).not.toContain("PRIVATE KEY")
    const bound = await call(at(`${sub}/https/bindings`), {
      token: t.admin,
      method: "POST",
      body: { CertificateId: (uploaded.json as { CertificateId: string }).CertificateId, EndpointId: seed.endpointId }
    })
    expect(bound.status).toBe(202)
    await proxy.stop().then(
      () => undefined,
      () => undefined
    )
    expect(allLines.some((line) => line.includes("PRIVATE KEY") || line.includes(pair.key.slice(40, 80)))).toBe(false)
    proxy = await startProxy(emulator, proxyEnv)
  })
})

describe("permissions: a call outside the token's is 403 in the service's shape, nothing sent upstream", () => {
  it.each([
    ["a reader purging", t.reader, "POST", `${ep}/purges`, { Files: [a] }],
    ["a purger disabling an endpoint", t.purger, "POST", `${ep}/disable`, undefined],
    [
      "a purger updating an endpoint",
      t.purger,
      "PUT",
      ep,
      { EndpointSettings: { Host: "h.example.cn" }, UpdateFlag: "HostHeader" }
    ],
    [
      "an endpoint-scoped token on another endpoint",
      t.oneEndpoint,
      "GET",
      `${sub}/endpoints/${otherEndpoint}`,
      undefined
    ],
    ["an endpoint-scoped token listing the subscription", t.oneEndpoint, "GET", `${sub}/endpoints`, undefined],
    [
      "any token in another subscription? (the admin has all)",
      t.purger,
      "GET",
      `/subscriptions/${otherSubscription}/endpoints`,
      undefined
    ]
  ] as const)("%s", async (_what, token, method, path, body) => {
    const reply = await call(at(path), { token, method, ...(body === undefined ? {} : { body }) })
    if (token === t.purger && path.startsWith(`/subscriptions/${otherSubscription}`)) {
      // No subscription scope on this token: the service answers for itself.
      expect(reply.status).toBe(404)
      return
    }
    expect(reply.status).toBe(403)
    expect(reply.json).toEqual(errorBody("PermissionDenied"))
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it("an endpoint-scoped token may purge its own endpoint", async () => {
    const reply = await call(at(`${ep}/purges`), { token: t.oneEndpoint, method: "POST", body: { Files: [a] } })
    expect(reply.status).toBe(202)
  })

  it("refusals are counted per route in /metrics", async () => {
    await call(at(`${ep}/purges`), { token: t.reader, method: "POST", body: { Files: [a] } })
    const metrics = await call(`${proxy.url}/metrics`)
    expect(metrics.text).toMatch(/^cdn_proxy_permission_refusals_total\{route="purge"\} \d+$/m)
    expect(metrics.text).toMatch(/^cdn_proxy_requests_total\{route="purge",status="403"\} \d+$/m)
  })
})

describe("write bodies: read with a limit, checked before anything goes upstream", () => {
  it.each([
    ["not JSON", "{not json", {}, 400],
    ["another content type", JSON.stringify({ Files: [a] }), { "content-type": "text/plain" }, 415],
    ["larger than PROXY_MAX_BODY_BYTES", JSON.stringify({ Files: [`${a}?${"x".repeat(5000)}`] }), {}, 413],
    ["a URL that is not absolute", JSON.stringify({ Files: ["/pictures/a.png"] }), {}, 400],
    ["nothing to purge", JSON.stringify({}), {}, 400],
    ["a wrong shape", JSON.stringify({ Files: "http://file.example.cn/a.png" }), {}, 400]
  ] as const)("%s: refused in the service's error shape", async (_what, body, headers, status) => {
    const reply = await call(at(`${ep}/purges`), { token: t.purger, method: "POST", body, headers })
    expect(reply.status).toBe(status)
    expect(reply.json).toEqual(errorBody("ParameterInvalid"))
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it("a write without a body: 400 ParameterMissing; a GET with one: 400", async () => {
    const missing = await call(at(`${ep}/purges`), { token: t.purger, method: "POST" })
    expect(missing.status).toBe(400)
    expect(missing.json).toEqual(errorBody("ParameterMissing"))
    expect(upstreamCalls(emulator)).toEqual([])
  })
})

describe("writes are re-sent only when the service certainly did not carry them out", () => {
  it("a throttled purge is retried: one operation", async () => {
    emulator.emulator.faults.set({ throttle: { times: 1 } })
    const reply = await call(at(`${ep}/purges`), {
      token: t.admin,
      method: "POST",
      body: { Files: ["http://file.example.cn/throttled.png"] }
    })
    expect(reply.status).toBe(202)
    expect(upstreamCalls(emulator).map((entry) => entry.status)).toEqual([429, 202])
  })

  it("a dropped connection after sending: 502, and the purge is not sent twice", async () => {
    emulator.emulator.faults.set({ drop: { times: 1 } })
    const reply = await call(at(`${ep}/purges`), {
      token: t.admin,
      method: "POST",
      body: { Files: ["http://file.example.cn/dropped.png"] }
    })
    expect(reply.status).toBe(502)
    expect(upstreamCalls(emulator)).toHaveLength(1)
  })
})

describe("the purge dedupe window (PROXY_PURGE_DEDUPE_SECONDS)", () => {
  it("the same token sending the same purge body again gets the first operation id back, one upstream purge", async () => {
    const body = { Directories: ["http://file.example.cn/img/"], Files: ["http://file.example.cn/dedupe.png"] }
    const first = await call(at(`${ep}/purges`), { token: t.purger, method: "POST", body })
    // The same body in another key order is the same purge.
    const again = await call(at(`${ep}/purges`), {
      token: t.purger,
      method: "POST",
      body: { Files: body.Files, Directories: body.Directories }
    })
    expect(again.status).toBe(202)
    expect(again.json).toEqual(first.json)
    expect(upstreamCalls(emulator, `${ep}/purges`)).toHaveLength(1)
    // Another token, or another body, is another purge.
    await call(at(`${ep}/purges`), { token: t.admin, method: "POST", body })
    await call(at(`${ep}/purges`), {
      token: t.purger,
      method: "POST",
      body: { Files: ["http://file.example.cn/other.png"] }
    })
    expect(upstreamCalls(emulator, `${ep}/purges`)).toHaveLength(3)
    const metrics = await call(`${proxy.url}/metrics`)
    expect(metrics.text).toMatch(/^cdn_proxy_dedupe_hits_total\{route="purge"\} [1-9]\d*$/m)
  })

  it("the client that sent a purge hangs up: the purge is carried out once, and the same purge meanwhile gets its id", async () => {
    const body = { Files: ["http://file.example.cn/hung-up.png"] }
    emulator.emulator.faults.set({ latencyMs: 400 })
    const leaving = new AbortController()
    const first = fetch(at(`${ep}/purges`), {
      method: "POST",
      headers: { authorization: `Bearer ${t.purger}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: leaving.signal
    }).catch((error: Error) => error.name)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const again = call(at(`${ep}/purges`), { token: t.purger, method: "POST", body })
    await new Promise((resolve) => setTimeout(resolve, 100))
    leaving.abort()
    expect(await first).toBe("AbortError")
    const answer = await again
    expect(answer.status).toBe(202)
    // The purge the first client started was kept for the window: sent a third time, the same id.
    const third = await call(at(`${ep}/purges`), { token: t.purger, method: "POST", body })
    expect(third.json).toEqual(answer.json)
    expect(upstreamCalls(emulator, `${ep}/purges`)).toHaveLength(1)
  })
})
