import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  allLines,
  call,
  createOperation,
  type Emulator,
  errorBody,
  leakedSecrets,
  type RunningProxy,
  seedPath,
  startEmulator,
  startProxy,
  tokens,
  upstreamCalls
} from "./support.js"

let emulator: Emulator
let proxy: RunningProxy

beforeAll(async () => {
  emulator = await startEmulator()
  // Small budgets so that a test waits seconds, not half a minute.
  proxy = await startProxy(emulator, {
    AZURE_CDN_MAX_ATTEMPTS: "3",
    AZURE_CDN_MAX_RETRY_TIME: "5 seconds",
    AZURE_CDN_TIMEOUT: "1 second",
    PROXY_CACHE_RUNNING_TTL: "400 millis",
    PROXY_CACHE_THROTTLED_TTL: "1 second"
  })
})
afterAll(async () => {
  expect(await proxy.stop()).toBe(0)
  await emulator.close()
  expect(leakedSecrets(allLines)).toEqual([])
})
afterEach(() => {
  emulator.emulator.faults.clear()
  emulator.emulator.log.clear()
})

const get = (path: string) => call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Two throttles, then the answer: 200, three upstream attempts, each signed afresh.
const recoversFromThrottling = async (read: typeof get) => {
  const path = await createOperation(emulator, 0)
  emulator.emulator.faults.set({ throttle: { times: 2, retryAfterSeconds: 0 } })
  const reply = await read(path)
  expect(reply.status).toBe(200)
  const calls = upstreamCalls(emulator, path)
  expect(calls.map((entry) => entry.outcome)).toEqual(["RequestThrottled", "RequestThrottled", "ok"])
  expect(calls.every((entry) => entry.signatureValid)).toBe(true)
}

describe("coalescing and caching", () => {
  it("20 concurrent identical requests share one upstream call", async () => {
    const path = await createOperation(emulator, 3_600_000)
    emulator.emulator.faults.set({ latencyMs: 300 })
    const replies = await Promise.all(Array.from({ length: 20 }, () => get(path)))
    expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200))
    expect(new Set(replies.map((reply) => reply.text)).size).toBe(1)
    expect(upstreamCalls(emulator, path)).toHaveLength(1)
  })

  it("the client whose request started the upstream call hangs up: the others still get the answer, one call", async () => {
    const path = await createOperation(emulator, 3_600_000)
    emulator.emulator.faults.set({ latencyMs: 400 })
    const leaving = new AbortController()
    const first = fetch(`${proxy.url}${path}?apiVersion=1.0`, {
      headers: { authorization: `Bearer ${tokens.ci}` },
      signal: leaving.signal
    }).catch((error: Error) => error.name)
    await sleep(100)
    const others = Promise.all(Array.from({ length: 5 }, () => get(path)))
    await sleep(100)
    leaving.abort()
    expect(await first).toBe("AbortError")
    const replies = await others
    expect(replies.map((reply) => reply.status)).toEqual(Array(5).fill(200))
    expect(upstreamCalls(emulator, path)).toHaveLength(1)
  })

  it("a terminal operation is kept: polled again, no second upstream call", async () => {
    const path = await createOperation(emulator, 0)
    const first = await get(path)
    expect(first.json).toMatchObject({ Status: "Succeeded" })
    for (let i = 0; i < 5; i++) expect((await get(path)).text).toBe(first.text)
    expect(upstreamCalls(emulator, path)).toHaveLength(1)
  })

  it("a running operation is kept for the TTL only, then asked again", async () => {
    const path = await createOperation(emulator, 3_600_000)
    expect((await get(path)).json).toMatchObject({ Status: "Processing" })
    await get(path)
    expect(upstreamCalls(emulator, path)).toHaveLength(1)
    await sleep(600)
    await get(path)
    expect(upstreamCalls(emulator, path)).toHaveLength(2)
  })

  it("errors are not kept: an unknown operation is asked each time", async () => {
    const path = (await createOperation(emulator, 0)).replace(/[0-9a-f-]{36}$/, "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff")
    for (let i = 0; i < 2; i++) {
      const reply = await get(path)
      expect(reply.status).toBe(404)
      expect(reply.json).toEqual(errorBody("ParameterInvalid"))
    }
    expect(upstreamCalls(emulator, path)).toHaveLength(2)
  })
})

describe("PROXY_CACHE_MAX_BYTES", () => {
  it("kept answers stay within the bytes: the least recently read leave first, the recent ones stay", async () => {
    const small = await startProxy(emulator, { PROXY_CACHE_MAX_BYTES: String(64 * 1024) })
    try {
      // Each finished operation's answer takes about 1 KiB with its key and bookkeeping: 150 of them do not fit.
      const paths = await Promise.all(Array.from({ length: 150 }, () => createOperation(emulator, 0)))
      for (const path of paths)
        expect((await call(`${small.url}${path}?apiVersion=1.0`, { token: tokens.ci })).status).toBe(200)
      emulator.emulator.log.clear()
      for (const path of paths.slice(-20)) await call(`${small.url}${path}?apiVersion=1.0`, { token: tokens.ci })
      expect(upstreamCalls(emulator)).toHaveLength(0)
      for (const path of paths.slice(0, 20)) await call(`${small.url}${path}?apiVersion=1.0`, { token: tokens.ci })
      expect(upstreamCalls(emulator)).toHaveLength(20)
    } finally {
      expect(await small.stop()).toBe(0)
    }
  })
})

describe("throttling", () => {
  it("throttling that recovers within the budget: 200, each attempt signed afresh", () => recoversFromThrottling(get))

  it("throttling that outlasts the budget: 429 with Retry-After, then answered from the cache briefly", async () => {
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ throttle: { every: 1, retryAfterSeconds: 1 } })
    const reply = await get(path)
    expect(reply.status).toBe(429)
    expect(reply.headers.get("retry-after")).toBe("1")
    expect(reply.json).toEqual(errorBody("RequestThrottled"))
    const calls = upstreamCalls(emulator, path).length
    expect(calls).toBe(3)
    // Within PROXY_CACHE_THROTTLED_TTL the herd is told to wait without asking the service again.
    expect((await get(path)).status).toBe(429)
    expect(upstreamCalls(emulator, path)).toHaveLength(calls)
    emulator.emulator.faults.clear()
    await sleep(1_100)
    expect((await get(path)).status).toBe(200)
  })
})

describe("an upstream that misbehaves", () => {
  it("an HTML 502 page: 502 in the service's error shape, retried first, and the proxy still serves", async () => {
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ html: { every: 1, status: 502 } })
    const reply = await get(path)
    expect(reply.status).toBe(502)
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/)
    expect(reply.json).toEqual(errorBody("BadGateway"))
    expect(upstreamCalls(emulator, path)).toHaveLength(3)
    emulator.emulator.faults.clear()
    expect((await get(path)).status).toBe(200)
  })

  it("a truncated JSON answer: 502 BadGateway", async () => {
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ truncate: { every: 1 } })
    const reply = await get(path)
    expect(reply.status).toBe(502)
    expect(reply.json).toEqual(errorBody("BadGateway"))
  })

  it("a dropped connection: 502 BadGateway after the retries, and the proxy still serves", async () => {
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ drop: { every: 1 } })
    const reply = await get(path)
    expect(reply.status).toBe(502)
    expect(reply.json).toEqual(errorBody("BadGateway"))
    expect(upstreamCalls(emulator, path)).toHaveLength(3)
    emulator.emulator.faults.clear()
    expect((await get(path)).status).toBe(200)
  })

  it("a slow answer past AZURE_CDN_TIMEOUT on every attempt: 504 GatewayTimeout", async () => {
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ latencyMs: 1_500 })
    const reply = await get(path)
    expect(reply.status).toBe(504)
    expect(reply.json).toEqual(errorBody("GatewayTimeout"))
  })

  it("the service refusing the proxy's own key: 502, never the caller's 401", async () => {
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ error: { every: 1, type: "WrongSignature" } })
    const reply = await get(path)
    expect(reply.status).toBe(502)
    expect(reply.json).toEqual(errorBody("WrongSignature"))
  })

  it("retries and upstream outcomes show in /metrics", async () => {
    const metrics = (await call(`${proxy.url}/metrics`)).text
    expect(metrics).toMatch(/^cdn_proxy_upstream_retries_total [1-9]\d*$/m)
    expect(metrics).toMatch(/^cdn_proxy_upstream_calls_total\{outcome="http_429"\} [1-9]\d*$/m)
    expect(metrics).toMatch(/^cdn_proxy_upstream_calls_total\{outcome="transport_error"\} [1-9]\d*$/m)
    expect(metrics).toMatch(/^cdn_proxy_coalesced_waits_total [1-9]\d*$/m)
  })
})

describe("an upstream that redirects", () => {
  it("a 301 to another host is never followed: 502 in the service's shape, nothing sent to that host", async () => {
    let elsewhereHits = 0
    const elsewhere = createServer((_, res) => {
      elsewhereHits += 1
      res.end("{}")
    })
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve))
    const elsewhereHost = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`
    const redirecting = createServer((req, res) => {
      res.writeHead(301, { location: `http://${elsewhereHost}${req.url}` })
      res.end()
    })
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve))
    const upstream = { url: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}` } as Emulator
    const redirected = await startProxy(upstream, { AZURE_CDN_MAX_ATTEMPTS: "3" })
    try {
      const reply = await call(`${redirected.url}${seedPath}?apiVersion=1.0`, { token: tokens.ci })
      expect(reply.status).toBe(502)
      expect(reply.json).toEqual(errorBody("BadGateway"))
      expect(reply.text).toContain(elsewhereHost)
      expect(elsewhereHits).toBe(0)
    } finally {
      expect(await redirected.stop()).toBe(0)
      await new Promise((resolve) => redirecting.close(resolve))
      await new Promise((resolve) => elsewhere.close(resolve))
    }
  })
})

describe("PROXY_CACHE=off: the first attempt on a callback, the rest on a fiber", () => {
  let uncached: RunningProxy
  beforeAll(async () => {
    uncached = await startProxy(emulator, {
      PROXY_CACHE: "off",
      AZURE_CDN_MAX_ATTEMPTS: "3",
      AZURE_CDN_MAX_RETRY_TIME: "5 seconds",
      AZURE_CDN_TIMEOUT: "1 second"
    })
  })
  afterAll(async () => {
    expect(await uncached.stop()).toBe(0)
  })
  const read = (path: string) => call(`${uncached.url}${path}?apiVersion=1.0`, { token: tokens.ci })

  it("every read is one signed upstream call, passed on byte for byte and counted as ok", async () => {
    const path = await createOperation(emulator, 0)
    const [first, second] = [await read(path), await read(path)]
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.text).toBe(first.text)
    const calls = upstreamCalls(emulator, path)
    expect(calls.map((entry) => [entry.outcome, entry.signatureValid])).toEqual([
      ["ok", true],
      ["ok", true]
    ])
    expect((await call(`${uncached.url}/metrics`)).text).toMatch(/^cdn_proxy_upstream_calls_total\{outcome="ok"\} 2$/m)
  })

  it("a throttled first attempt is retried: 200 after the throttles, each attempt signed afresh", () =>
    recoversFromThrottling(read))

  it("a dropped connection on every attempt: 502 BadGateway after the retries, and the next read is served", async () => {
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ drop: { every: 1 } })
    const reply = await read(path)
    expect(reply.status).toBe(502)
    expect(reply.json).toMatchObject({ Succeeded: false, ErrorInfo: { Type: "BadGateway" } })
    emulator.emulator.faults.clear()
    expect((await read(path)).status).toBe(200)
  })
})
