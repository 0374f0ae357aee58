import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  allLines,
  call,
  createOperation,
  type Emulator,
  errorBody,
  leakedSecrets,
  otherSubscription,
  type RunningProxy,
  seed,
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
  proxy = await startProxy(emulator)
})
afterAll(async () => {
  expect(await proxy.stop()).toBe(0)
  await emulator.close()
  expect(leakedSecrets(allLines)).toEqual([])
})
beforeEach(() => emulator.emulator.log.clear())

const at = (path: string) => `${proxy.url}${path}`

describe("inbound auth", () => {
  it("a known token gets the service's JSON, signed upstream with the proxy's key", async () => {
    const reply = await call(at(`${seedPath}?apiVersion=1.0`), { token: tokens.ci })
    expect(reply.status).toBe(200)
    expect(reply.json).toMatchObject({ Id: seed.operationId, Status: "Succeeded" })
    const [sent] = upstreamCalls(emulator)
    expect(sent).toMatchObject({ path: seedPath, keyId: "proxy-test-key", signatureValid: true })
    expect(reply.headers.get("x-correlation-id")).toBe(sent!.correlationId)
  })

  it("a token given in PROXY_TOKENS as its SHA-256 works; the scheme is case-insensitive", async () => {
    const reply = await call(at(`${seedPath}?apiVersion=1.0`), {
      headers: { authorization: `bearer ${tokens.hashed}` }
    })
    expect(reply.status).toBe(200)
  })

  const refused: Array<[string, Record<string, string>, string]> = [
    ["no Authorization header", {}, "MissingAuthorizationHeader"],
    ["an empty Authorization header", { authorization: "" }, "MissingAuthorizationHeader"],
    [
      "another scheme",
      { authorization: `Basic ${Buffer.from(`ci:${tokens.ci}`).toString("base64")}` },
      "InvalidAuthorizationHeader"
    ],
    ["Bearer without a token", { authorization: "Bearer " }, "InvalidAuthorizationHeader"],
    ["an unknown token", { authorization: "Bearer not-a-known-token-0123456789" }, "CredentialInvalid"],
    [
      "a known token with one character changed",
      { authorization: `Bearer ${tokens.ci.slice(0, -1)}X` },
      "CredentialInvalid"
    ],
    [
      "the SHA-256 itself as the token",
      { authorization: "Bearer 0000000000000000000000000000000000000000000000000000000000000000" },
      "CredentialInvalid"
    ]
  ]
  it.each(refused)("%s: 401 %s, nothing upstream", async (_what, headers, type) => {
    const reply = await call(at(`${seedPath}?apiVersion=1.0`), { headers })
    expect(reply.status).toBe(401)
    expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/)
    expect(reply.json).toEqual(errorBody(type))
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it("a token scoped to other subscriptions: 403 PermissionDenied, nothing upstream", async () => {
    const reply = await call(at(`${seedPath}?apiVersion=1.0`), { token: tokens.scoped })
    expect(reply.status).toBe(403)
    expect(reply.json).toEqual(errorBody("PermissionDenied"))
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it("a scoped token within its subscription goes upstream (the service then answers for it)", async () => {
    const path = `/subscriptions/${otherSubscription}/endpoints/${seed.endpointId}/operations/${seed.operationId}`
    const reply = await call(at(`${path}?apiVersion=1.0`), { token: tokens.scoped })
    expect(reply.status).toBe(404)
    expect(reply.json).toEqual(errorBody("SubscriptionNotFound"))
    expect(upstreamCalls(emulator)).toHaveLength(1)
  })

  it("the caller's Authorization header never reaches the service", async () => {
    await call(at(`${seedPath}?apiVersion=1.0&x=1`), { token: tokens.ci })
    for (const entry of upstreamCalls(emulator)) expect(entry.signatureValid).toBe(true)
    expect(JSON.stringify(emulator.emulator.log.all())).not.toContain(tokens.ci)
  })
})

describe("input hardening: nothing invalid reaches the service", () => {
  const bad: Array<[string, string, number, string]> = [
    ["an unknown route", "/subscriptions", 404, "ParameterInvalid"],
    ["a trailing slash", `${seedPath}/?apiVersion=1.0`, 404, "ParameterInvalid"],
    [
      "a route with a different case",
      `${seedPath.replace("/subscriptions", "/Subscriptions")}?apiVersion=1.0`,
      404,
      "ParameterInvalid"
    ],
    [
      "an ID that is not a GUID",
      `/subscriptions/${seed.subscriptionId}/endpoints/not-a-guid/operations/${seed.operationId}?apiVersion=1.0`,
      400,
      "ParameterInvalid"
    ],
    ["a GUID too long", `${seedPath}0?apiVersion=1.0`, 400, "ParameterInvalid"],
    [
      "a '..' segment",
      `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/../operations/${seed.operationId}?apiVersion=1.0`,
      400,
      "ParameterInvalid"
    ],
    [
      "a '.' segment",
      `/subscriptions/${seed.subscriptionId}/./endpoints/${seed.endpointId}/operations/${seed.operationId}?apiVersion=1.0`,
      400,
      "ParameterInvalid"
    ],
    [
      "encoded dots",
      `/subscriptions/${seed.subscriptionId}/endpoints/%2e%2e/operations/${seed.operationId}?apiVersion=1.0`,
      400,
      "ParameterInvalid"
    ],
    [
      "an encoded slash",
      `/subscriptions/${seed.subscriptionId}%2Fendpoints/${seed.endpointId}/operations/${seed.operationId}?apiVersion=1.0`,
      400,
      "ParameterInvalid"
    ],
    [
      "a double slash",
      `/subscriptions//${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}?apiVersion=1.0`,
      400,
      "ParameterInvalid"
    ],
    [
      "a backslash",
      `/subscriptions/${seed.subscriptionId}\\endpoints/${seed.endpointId}/operations/${seed.operationId}?apiVersion=1.0`,
      400,
      "ParameterInvalid"
    ],
    ["no apiVersion", seedPath, 400, "ParameterMissing"],
    ["another apiVersion", `${seedPath}?apiVersion=2.0`, 400, "ParameterInvalid"]
  ]
  it.each(bad)("%s: %s... answers %i %s", async (_what, path, status, type) => {
    const reply = await rawGet(path, { authorization: `Bearer ${tokens.ci}` })
    expect(reply.status).toBe(status)
    expect(JSON.parse(reply.body)).toEqual(errorBody(type))
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it.each(["POST", "PUT", "DELETE", "PATCH", "HEAD"])("%s: 405 with Allow: GET, nothing upstream", async (method) => {
    const reply = await call(at(`${seedPath}?apiVersion=1.0`), { token: tokens.ci, method })
    expect(reply.status).toBe(405)
    expect(reply.headers.get("allow")).toBe("GET")
    if (method !== "HEAD") expect(reply.json).toEqual(errorBody("ParameterInvalid"))
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it("a GET with a body: 400, nothing upstream", async () => {
    const reply = await rawGet(
      `${seedPath}?apiVersion=1.0`,
      { authorization: `Bearer ${tokens.ci}`, "content-length": "2" },
      "{}"
    )
    expect(reply.status).toBe(400)
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it("an oversized URL: 414; an enormous one is refused by the parser, also 414", async () => {
    for (const length of [3_000, 20_000]) {
      const reply = await rawGet(`${seedPath}?apiVersion=1.0&pad=${"x".repeat(length)}`, {
        authorization: `Bearer ${tokens.ci}`
      })
      expect(reply.status).toBe(414)
      expect(JSON.parse(reply.body)).toEqual(errorBody("ParameterInvalid"))
    }
    expect(upstreamCalls(emulator)).toEqual([])
  })

  it("oversized headers: 431, nothing upstream, and the proxy still serves", async () => {
    const reply = await rawGet(`${seedPath}?apiVersion=1.0`, {
      authorization: `Bearer ${tokens.ci}`,
      "x-big": "y".repeat(16_000)
    })
    expect(reply.status).toBe(431)
    expect(JSON.parse(reply.body)).toEqual(errorBody("ParameterInvalid"))
    expect(upstreamCalls(emulator)).toEqual([])
    expect((await call(at(`${seedPath}?apiVersion=1.0`), { token: tokens.ci })).status).toBe(200)
  })

  it("upper-case GUIDs are accepted and sent in lower case", async () => {
    const path = await createOperation(emulator, 0)
    const upper = path.replace(/[0-9a-f-]{36}/g, (id) => id.toUpperCase())
    const reply = await call(at(`${upper}?apiVersion=1.0`), { token: tokens.ci })
    expect(reply.status).toBe(200)
    expect(upstreamCalls(emulator).map((entry) => entry.path)).toEqual([path])
  })
})

describe("health, readiness and metrics", () => {
  it("/healthz and /readyz answer 200 without a token; /metrics is Prometheus text", async () => {
    expect((await call(at("/healthz"))).json).toEqual({ status: "ok" })
    expect((await call(at("/readyz"))).json).toEqual({ status: "ready" })
    await call(at(`${seedPath}?apiVersion=1.0`), { token: tokens.ci })
    const metrics = await call(at("/metrics"))
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0.0.4/)
    for (const line of [
      /^cdn_proxy_requests_total\{route="operation",status="200"\} \d+$/m,
      /^cdn_proxy_requests_total\{route="operation",status="401"\} \d+$/m,
      /^cdn_proxy_upstream_calls_total\{outcome="ok"\} \d+$/m,
      /^cdn_proxy_cache_hits_total \d+$/m,
      /^cdn_proxy_cache_misses_total \d+$/m,
      /^cdn_proxy_coalesced_waits_total \d+$/m,
      /^cdn_proxy_upstream_retries_total \d+$/m,
      /^cdn_proxy_request_duration_seconds_bucket\{route="operation",le="\+Inf"\} \d+$/m,
      /^cdn_proxy_upstream_duration_seconds_count \d+$/m
    ]) {
      expect(metrics.text).toMatch(line)
    }
  })

  it("/metrics has the standard process metrics, by the names Prometheus's Node client gives them", async () => {
    const text = (await call(at("/metrics"))).text
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1])
    expect(text).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m)
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m)
    // Whatever process serves it: some memory, some CPU, a heap, a lag that is a number of seconds.
    expect(value("process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024)
    expect(value("process_cpu_seconds_total")).toBeGreaterThan(0)
    expect(value("nodejs_heap_size_used_bytes")).toBeGreaterThan(1024 * 1024)
    expect(value("nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0)
    expect(value("nodejs_eventloop_lag_seconds")).toBeLessThan(5)
  })

  it("one JSON log line per request, with route, status, duration and token name", async () => {
    await call(at(`${seedPath}?apiVersion=1.0`), { token: tokens.ci })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const requests = proxy.lines.map((line) => JSON.parse(line)).filter((line) => line.msg === "request")
    expect(requests.at(-1)).toMatchObject({ method: "GET", route: "operation", status: 200, token: "ci", cache: "hit" })
    expect(requests.at(-1).durationMs).toBeTypeOf("number")
    expect(requests.at(-1).correlationId).toMatch(/^[0-9a-f-]{36}$/)
  })
})

// A raw HTTP/1.1 request, so that the path goes out exactly as written (fetch would normalise it).
const rawGet = (path: string, headers: Record<string, string>, body = ""): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    import("node:net").then(({ connect }) => {
      const { port } = new URL(proxy.url)
      const socket = connect(Number(port), "127.0.0.1")
      let data = ""
      socket.on("data", (chunk) => {
        data += chunk.toString("utf8")
      })
      socket.on("error", reject)
      socket.on("close", () => {
        const status = Number(data.slice(9, 12))
        resolve({ status, body: data.slice(data.indexOf("\r\n\r\n") + 4) })
      })
      const lines = [`GET ${path} HTTP/1.1`, "host: 127.0.0.1", "connection: close"]
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
      socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`)
    }, reject)
  })
