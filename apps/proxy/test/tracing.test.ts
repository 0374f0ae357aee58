/**
 * OpenTelemetry, opt-in by OTEL_EXPORTER_OTLP_ENDPOINT: spans sent over OTLP/HTTP to a collector on loopback (a
 * recording server standing for one); a span per request, a child per upstream attempt, the caller's traceparent
 * continued, no token or key anywhere; with the variable unset, nothing is sent.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  call,
  createOperation,
  type Emulator,
  key,
  type RunningProxy,
  seed,
  startEmulator,
  startProxy,
  tokens
} from "./support.js"

interface OtlpValue {
  readonly stringValue?: string
  readonly intValue?: string | number
}
interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: OtlpValue }>
}

let emulator: Emulator
let collector: Server
let collectorUrl: string
const bodies: Array<string> = []

beforeAll(async () => {
  emulator = await startEmulator()
  collector = createServer((request, response) => {
    let body = ""
    request.on("data", (chunk) => {
      body += chunk
    })
    request.on("end", () => {
      if (request.url === "/v1/traces") bodies.push(body)
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", () => resolve()))
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`
})
afterAll(async () => {
  await emulator.close()
  await new Promise((resolve) => collector.close(resolve))
})

const spans = (): Array<OtlpSpan> =>
  bodies.flatMap((body) =>
    (
      JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<OtlpSpan> }> }> }
    ).resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))
  )
const attribute = (span: OtlpSpan, name: string) => {
  const value = span.attributes.find((entry) => entry.key === name)?.value
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue))
}

describe("OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  let proxy: RunningProxy
  beforeAll(async () => {
    proxy = await startProxy(emulator, {
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_SERVICE_NAME: "cdn-proxy-test",
      PROXY_TOKENS: JSON.stringify([{ name: "ci", token: tokens.ci, permissions: ["read", "purge"] }])
    })
  })
  afterAll(async () => {
    await proxy.stop()
  })

  it("a span per request (call, token name, cache hit or miss), a child per upstream attempt (status, correlation id); the caller's trace continued; no secret", async () => {
    const path = await createOperation(emulator, 0)
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`
    const first = await call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci, headers: { traceparent } })
    const second = await call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci })
    expect([first.status, second.status]).toEqual([200, 200])
    // The exporter sends every second.
    for (let i = 0; i < 60 && spans().filter((span) => span.name.startsWith("cdn-proxy operation")).length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const requests = spans().filter((span) => span.name === "cdn-proxy operation")
    expect(requests).toHaveLength(2)
    const [miss, hit] = requests as [OtlpSpan, OtlpSpan]
    expect(miss.traceId).toBe(traceId)
    expect(miss.parentSpanId).toBe("00f067aa0ba902b7")
    expect([attribute(miss, "cdn.call"), attribute(miss, "cdn.token"), attribute(miss, "cdn.cache")]).toEqual([
      "operation",
      "ci",
      "miss"
    ])
    expect(attribute(miss, "http.response.status_code")).toBe(200)
    expect(attribute(hit, "cdn.cache")).toBe("hit")
    expect(hit.traceId).not.toBe(traceId)
    const attempts = spans().filter((span) => span.name === "cdn-proxy upstream attempt")
    expect(attempts).toHaveLength(1)
    const [attempt] = attempts as [OtlpSpan]
    expect(attempt.parentSpanId).toBe(miss.spanId)
    expect(attempt.traceId).toBe(traceId)
    expect(attribute(attempt, "http.response.status_code")).toBe(200)
    expect(attribute(attempt, "cdn.correlation_id")).toMatch(/^[0-9a-f-]{36}$/)
    expect(attribute(attempt, "url.path")).toBe(path)
    // No token, no key, no Authorization anywhere in what was sent.
    const sent = bodies.join("\n")
    for (const secret of [key.value, tokens.ci, "Bearer", "AzureCDN"]) expect(sent).not.toContain(secret)
    expect(sent).toContain("cdn-proxy-test")
  })

  it("a write's attempt is a child of its request's span too", async () => {
    const purge = await call(
      `${proxy.url}/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/purges?apiVersion=1.0`,
      { token: tokens.ci, method: "POST", body: { Files: ["http://file.example.cn/a.png"] } }
    )
    expect(purge.status, purge.text).toBe(202)
    const named = () => spans().filter((span) => span.name === "cdn-proxy purge")
    for (let i = 0; i < 60 && named().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))
    const [request] = named() as [OtlpSpan]
    const children = spans().filter(
      (span) => span.name === "cdn-proxy upstream attempt" && span.parentSpanId === request.spanId
    )
    expect(children).toHaveLength(1)
    expect(attribute(children[0] as OtlpSpan, "http.response.status_code")).toBe(202)
  })
})

describe("without OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it("nothing is sent", async () => {
    const before = bodies.length
    const proxy = await startProxy(emulator)
    try {
      const path = await createOperation(emulator, 0)
      expect((await call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci })).status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(bodies.length).toBe(before)
    } finally {
      await proxy.stop()
    }
  })
})
