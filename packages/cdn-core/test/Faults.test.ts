/**
 * Every fault a service, gateway or network can produce, one test per rule: what the caller gets, whether it is
 * retried, and that nothing goes anywhere but the configured base URL. Fake HttpClient and TestClock, plus real
 * sockets on 127.0.0.1 where the fault lives in the socket (redirects, a body cut short, TLS on a plain port).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { CdnClient, CdnConfig, ErrorCategory, type Errors, Waiter } from "../src/index.js"
import { accepted, failure, fake, ok, type Reply, run, value } from "./fakeHttp.js"

const s = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const e = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const op = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
const ref = { subscriptionId: s, endpointId: e, operationId: op }
const operation = (status: string) =>
  ok({ Id: op, Type: "Purge", Status: status, Start: "2024-01-02T03:00:00Z", EndpointId: e, SubscriptionId: s })
const serviceError = (type: string, status: number, message = "said the service") =>
  ok({ Succeeded: false, ErrorInfo: { Type: type, Message: message } }, status)

const get = Effect.flatMap(CdnClient.CdnClient, (c) => c.getOperation(ref))
const purge = Effect.flatMap(CdnClient.CdnClient, (c) =>
  c.purge({ subscriptionId: s, endpointId: e, files: ["http://a.example.cn/x"] })
)

/** A server on 127.0.0.1 for the test's length; `hits` counts the requests it saw. */
const serve = (handler: Parameters<typeof createServer>[1]) =>
  Effect.acquireRelease(
    Effect.async<{ server: Server; url: string; hits: () => number }>((resume) => {
      let hits = 0
      const server = createServer((req, res) => {
        hits += 1
        handler?.(req, res)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, url: `http://127.0.0.1:${port}`, hits: () => hits }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )

/** CdnClient over the real fetch, to `baseUrl`, without retries. */
const overFetch = (baseUrl: string) =>
  CdnClient.CdnClient.Default.pipe(
    Layer.provide(
      CdnConfig.layer({ baseUrl, keyId: "k", keyValue: "secret-value", retry: { maxAttempts: 1 } }).pipe(Layer.orDie)
    ),
    Layer.provide(FetchHttpClient.layer)
  )

describe("faults: redirects are never followed", () => {
  it.effect("a 301 to another host: UnexpectedRedirect naming the status and the host; nothing reaches that host", () =>
    Effect.gen(function* () {
      const elsewhere = yield* serve((_, res) => res.end(JSON.stringify({ forged: true })))
      const service = yield* serve((req, res) => {
        res.writeHead(301, { location: `${elsewhere.url}${req.url}`, "x-correlation-id": "corr-301" })
        res.end()
      })
      const error = yield* Effect.flip(get.pipe(Effect.provide(overFetch(service.url))))
      expect(error._tag).toBe("UnexpectedRedirect")
      const redirect = error as Errors.UnexpectedRedirect
      expect(redirect.status).toBe(301)
      expect(redirect.locationHost).toBe(new URL(elsewhere.url).host)
      expect(redirect.correlationId).toBe("corr-301")
      expect(redirect.message).toContain(new URL(elsewhere.url).host)
      expect(ErrorCategory.categoryOf(error)).toBe("service")
      expect(service.hits()).toBe(1)
      expect(elsewhere.hits()).toBe(0)
    }).pipe(Effect.scoped)
  )

  it.effect("a 302 is not retried, whatever the policy", () =>
    Effect.gen(function* () {
      const { sent, layer } = fake([{ status: 302, body: "", headers: { location: "https://evil.example/x" } }])
      const error = failure(yield* run(get, layer))
      expect(error).toMatchObject({ _tag: "UnexpectedRedirect", status: 302, locationHost: "evil.example" })
      expect(sent).toHaveLength(1)
    })
  )
})

describe("faults: secrets are never echoed", () => {
  it("a base URL with user:password@ is refused, the password masked", () => {
    const made = CdnConfig.make({ keyId: "k", keyValue: "v", baseUrl: "https://user:hunter2@restapi.cdn.azure.cn" })
    expect(Either.isLeft(made)).toBe(true)
    const text = String(Either.isLeft(made) ? made.left : "")
    expect(text).toContain("must not hold a user name or password")
    expect(text).not.toContain("hunter2")
    expect(text).toContain("***")
  })

  it("a base URL that is not a URL is not echoed (it may be the key pasted in the wrong place)", () => {
    const made = CdnConfig.make({ keyId: "k", keyValue: "v", baseUrl: "s3cr3t-key-value" })
    expect(String(Either.isLeft(made) ? made.left : "")).not.toContain("s3cr3t-key-value")
  })
})

describe("faults: throttles without a body", () => {
  for (const [what, reply] of [
    ["an empty body", { status: 429, body: "" }],
    ["an HTML page", { status: 429, body: "<html><body>Too Many Requests</body></html>" }],
    ["JSON of another shape", { status: 429, body: '{"message":"rate limited"}' }]
  ] as const) {
    it.effect(`a bare 429 with ${what} is RequestThrottled, and retried`, () =>
      Effect.gen(function* () {
        const { sent, layer } = fake([reply, operation("Succeeded")])
        expect(value(yield* run(get, layer)).status).toBe("Succeeded")
        expect(sent).toHaveLength(2)
        const only = fake([reply], { retry: { maxAttempts: 1 } })
        expect(failure(yield* run(get, only.layer))).toMatchObject({ _tag: "RequestThrottled", status: 429 })
      })
    )
  }

  it.effect("Retry-After is honoured on a 429 and on a 503, in seconds or as an HTTP date", () =>
    Effect.gen(function* () {
      const at = new Date(Date.parse("2024-01-02T03:04:05Z") + 4000).toUTCString()
      const { sent, layer } = fake(
        [
          { status: 429, body: "", headers: { "retry-after": "3" } },
          { status: 503, body: "<html>down</html>", headers: { "retry-after": at } },
          operation("Succeeded")
        ],
        { retry: { maxAttempts: 3, maxElapsed: "1 minute" } }
      )
      value(yield* run(get, layer))
      const dates = sent.map((r) => Date.parse(`${r.headers["x-azurecdn-request-date"]?.replace(" ", "T")}Z`))
      expect(dates[1]! - dates[0]!).toBe(3000)
      expect(dates[2]! - dates[0]!).toBeGreaterThanOrEqual(4000)
    })
  )

  it.effect("a Retry-After beyond the call's deadline is not waited for: the throttle is the answer at once", () =>
    Effect.gen(function* () {
      const { sent, layer } = fake(
        [{ status: 429, body: "", headers: { "retry-after": "120" } }, operation("Succeeded")],
        {
          retry: { maxAttempts: 4, maxElapsed: "30 seconds" }
        }
      )
      expect(failure(yield* run(get, layer))).toMatchObject({ _tag: "RequestThrottled", retryAfterMs: 120_000 })
      expect(sent).toHaveLength(1)
    })
  )
})

describe("faults: a wait outlasts a blip", () => {
  it.effect("503s, resets and throttles during a wait are missed polls; the wait goes on and ends Succeeded", () =>
    Effect.gen(function* () {
      const gateway: Reply = { status: 503, body: "<html>503</html>" }
      const { layer } = fake(
        [operation("Processing"), gateway, gateway, "reset", { status: 429, body: "" }, operation("Succeeded")],
        { retry: { maxAttempts: 1 } }
      )
      const missed: Array<string> = []
      const done = yield* run(
        Waiter.waitForOperation(ref, {
          interval: "1 second",
          timeout: "2 minutes",
          onMissedPoll: (m) => Effect.sync(() => missed.push(`${m.missedPolls}:${m.error._tag}`))
        }),
        layer
      )
      expect((value(done) as { status: string }).status).toBe("Succeeded")
      expect(missed).toEqual(["1:UnreadableResponse", "2:UnreadableResponse", "3:TransportError", "4:RequestThrottled"])
    })
  )

  it.effect("a permanent failure ends the wait at once: WrongSignature, EndpointNotFound", () =>
    Effect.gen(function* () {
      for (const [type, status] of [
        ["WrongSignature", 401],
        ["EndpointNotFound", 404]
      ] as const) {
        const { sent, layer } = fake([operation("Processing"), serviceError(type, status), operation("Succeeded")])
        expect(failure(yield* run(Waiter.waitForOperation(ref, { interval: "1 second" }), layer))._tag).toBe(type)
        expect(sent).toHaveLength(2)
      }
    })
  )

  it.effect("a service that stays down: WaitTimedOut at the deadline, counting the missed polls", () =>
    Effect.gen(function* () {
      const { layer } = fake([operation("Processing"), { status: 502, body: "" }], { retry: { maxAttempts: 1 } })
      const error = failure(
        yield* run(Waiter.waitForOperation(ref, { interval: "1 second", timeout: "20 seconds" }), layer)
      )
      expect(error).toMatchObject({ _tag: "WaitTimedOut", lastStatus: "Processing" })
      expect((error as Waiter.WaitTimedOut).missedPolls).toBeGreaterThan(2)
      expect(error.message).toMatch(/last status: Processing; \d+ polls missed, the last: UnreadableResponse/)
    })
  )

  it.effect("an undocumented status is kept: get returns it, a wait ends on it", () =>
    Effect.gen(function* () {
      const { layer } = fake([operation("Processing"), operation("Cancelled")])
      const ended = value(yield* run(Waiter.waitForOperation(ref, { interval: "1 second" }), layer))
      expect(ended.status).toBe("Cancelled")
    })
  )
})

describe("faults: bounded lines", () => {
  it.effect("a 5 MB ErrorInfo.Message is cut to about 300 characters with the count of the rest", () =>
    Effect.gen(function* () {
      const { layer } = fake([serviceError("ParameterInvalid", 400, "x".repeat(5_000_000))])
      const error = failure(yield* run(get, layer)) as Errors.CdnError
      expect(error.message.length).toBeLessThan(600)
      expect(error.message).toMatch(/… \(4999700 more characters\)/)
    })
  )

  it.effect("a 100,000-character operation id is refused with a bounded line, nothing sent", () =>
    Effect.gen(function* () {
      const { sent, layer } = fake([operation("Succeeded")])
      const long = Effect.flatMap(CdnClient.CdnClient, (c) =>
        c.getOperation({ ...ref, operationId: "a".repeat(100_000) })
      )
      const error = failure(yield* run(long, layer)) as Errors.CdnError
      expect(error).toMatchObject({ _tag: "InvalidInput", field: "operationId" })
      expect(error.message.length).toBeLessThan(400)
      expect(error.message).toContain("more characters")
      expect(sent).toHaveLength(0)
    })
  )
})

describe("faults: messages that name the fault", () => {
  it.effect("a body that does not decode names the field and the value", () =>
    Effect.gen(function* () {
      const missing = fake([
        ok({ Id: op, Type: "Purge", Start: "2024-01-02T03:00:00Z", EndpointId: e, SubscriptionId: s })
      ])
      expect(failure(yield* run(get, missing.layer))).toMatchObject({
        _tag: "UnreadableResponse",
        message: expect.stringContaining("Status: missing")
      })
      const wrong = fake([
        ok({ Id: op, Type: "Purge", Status: "Processing", Start: "yesterday", EndpointId: e, SubscriptionId: s })
      ])
      expect(failure(yield* run(get, wrong.layer))).toMatchObject({
        message: expect.stringContaining('Start: undocumented value "yesterday"')
      })
    })
  )

  it.effect("an answer that broke off after its headers says so and keeps the correlation id", () =>
    Effect.gen(function* () {
      const service = yield* serve((_, res) => {
        res.writeHead(200, { "content-length": "500", "x-correlation-id": "corr-cut" })
        res.write('{"Id":')
        setTimeout(() => res.socket?.destroy(), 20)
      })
      const error = yield* Effect.flip(get.pipe(Effect.provide(overFetch(service.url))))
      expect(error).toMatchObject({ _tag: "TransportError", status: 200, correlationId: "corr-cut" })
      expect(error.message).toContain("the answer broke off after HTTP 200")
    }).pipe(Effect.scoped)
  )

  it.effect("TLS against a plain port says so, without OpenSSL's internals, and is not retried", () =>
    Effect.gen(function* () {
      const service = yield* serve((_, res) => res.end("plain"))
      const https = service.url.replace("http://", "https://")
      const error = yield* Effect.flip(get.pipe(Effect.provide(overFetch(https))))
      expect(error.message).toContain(
        `the server at ${new URL(https).host} did not answer TLS (is the base URL http://?)`
      )
      expect(error.message).not.toMatch(/ssl3|openssl|0A00010B/i)
      expect(error).toMatchObject({ _tag: "TransportError", code: "ERR_TLS_MISMATCH" })
    }).pipe(Effect.scoped)
  )

  it.effect("an unknown host (ENOTFOUND) is not retried; a resolver that did not answer (EAI_AGAIN) is", () =>
    Effect.gen(function* () {
      const notFound = fake([{ code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND nowhere.invalid" }])
      expect(failure(yield* run(get, notFound.layer))).toMatchObject({ _tag: "TransportError", code: "ENOTFOUND" })
      expect(notFound.sent).toHaveLength(1)
      const again = fake([{ code: "EAI_AGAIN" }, operation("Succeeded")])
      value(yield* run(get, again.layer))
      expect(again.sent).toHaveLength(2)
    })
  )

  it.effect("InternalError and a 500 are retried for a read, never for a write", () =>
    Effect.gen(function* () {
      for (const reply of [serviceError("InternalError", 500), { status: 500, body: "<html>500</html>" }]) {
        const read = fake([reply, operation("Succeeded")])
        value(yield* run(get, read.layer))
        expect(read.sent).toHaveLength(2)
        const write = fake([reply, accepted])
        failure(yield* run(purge, write.layer))
        expect(write.sent).toHaveLength(1)
      }
    })
  )

  it.effect("one deadline per call: a hung service costs the deadline, not attempts × the attempt timeout", () =>
    Effect.gen(function* () {
      const { sent, layer } = fake(["hang"], {
        attemptTimeout: "10 seconds",
        retry: { maxAttempts: 10, baseDelay: "100 millis", maxElapsed: "15 seconds" }
      })
      const started = Date.parse("2024-01-02T03:04:05Z")
      const timed = Effect.flatMap(get.pipe(Effect.flip), (error) =>
        Effect.map(
          Effect.clockWith((clock) => clock.currentTimeMillis),
          (now) => ({ error, now })
        )
      )
      const { error, now } = value(yield* run(timed, layer))
      expect(error._tag).toBe("RequestTimeout")
      expect(now - started).toBeLessThanOrEqual(15_000)
      expect(sent.length).toBeLessThanOrEqual(2)
    })
  )
})
