/**
 * `CdnClient.requestByCallback`: the first attempt on a transport's `dispatch`, answered with no fiber; a failure,
 * and anything that cannot go on a callback, handed back as the rest of the call, which ends as `request` would.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, Layer, Logger, LogLevel, TestClock } from "effect"
import { CdnApi, CdnClient, CdnConfig, Signer, Transport } from "../src/index.js"

const s = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const e = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const op = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
const input = { subscriptionId: s, endpointId: e, operationId: op }
const start = Date.parse("2024-01-02T03:04:05Z")

const operation = JSON.stringify({
  Id: op,
  Type: "Purge",
  Status: "Succeeded",
  Start: "2024-01-02T03:00:00Z",
  EndpointId: e,
  SubscriptionId: s
})
type Reply = Transport.TransportResponse
const answer = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json", "x-correlation-id": `corr-${status}`, ...headers },
  body
})
const refused = (type: string, status: number, headers: Record<string, string> = {}) =>
  answer(status, JSON.stringify({ Succeeded: false, ErrorInfo: { Type: type, Message: type } }), headers)

/** A transport on a callback whose answers come from `replies` in turn, at once; every request is kept. */
const scripted = (replies: ReadonlyArray<Reply>, withDispatch = true) => {
  const sent: Array<Transport.TransportRequest> = []
  const dispatch: Transport.Dispatch = (request, _timeoutMs, done) => {
    sent.push(request)
    done(Either.right(replies[Math.min(sent.length - 1, replies.length - 1)] as Reply))
    return () => undefined
  }
  const transport = Transport.fromDispatch(dispatch)
  return { sent, transport: withDispatch ? transport : { send: transport.send } }
}

const client = (transport: Transport.TransportShape) =>
  CdnClient.CdnClient.DefaultWithoutDependencies.pipe(
    Layer.provide(Signer.Signer.Default),
    Layer.provide(Layer.succeed(Transport.Transport, transport)),
    Layer.provide(
      CdnConfig.layer({
        keyId: "key-id-1",
        keyValue: "secret-value",
        retry: { maxAttempts: 3, baseDelay: "10 millis", maxElapsed: "10 seconds" }
      })
    ),
    Layer.orDie
  )

// The client built on the TestClock at `start`, and what one requestByCallback gave back, synchronously or not.
const attempted = (transport: Transport.TransportShape, sent: unknown = input) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(start)
    const cdn = yield* Effect.provide(CdnClient.CdnClient, client(transport))
    const got: Array<CdnClient.Attempted<unknown>> = []
    cdn.requestByCallback(CdnApi.calls.getOperation, sent as typeof input, (outcome) => got.push(outcome))
    return got
  })

// The rest of the call handed back as the only outcome.
const restOf = (got: ReadonlyArray<CdnClient.Attempted<unknown>>) => {
  const only = got[0]
  if (got.length !== 1 || only?._tag !== "Continue") throw new Error(`expected one Continue, got ${got.length}`)
  return only.rest
}

// Runs the rest of a call with time moving on, so that its retries happen.
const finish = <A, E>(rest: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(rest)
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.await(fiber)
  })

describe("CdnClient.requestByCallback", () => {
  it.effect("a first attempt that succeeds is answered in the transport's callback, signed on the client's clock", () =>
    Effect.gen(function* () {
      const { sent, transport } = scripted([answer(200, operation)])
      const got = yield* attempted(transport)
      // Answered before anything else ran: no fiber was needed.
      expect(got).toHaveLength(1)
      const first = got[0]
      if (first?._tag !== "Answered") throw new Error(`expected Answered, got ${first?._tag}`)
      expect(first.response).toMatchObject({ status: 200, correlationId: "corr-200", body: operation })
      expect(first.response.value).toMatchObject({ id: op, status: "Succeeded" })
      expect(sent).toHaveLength(1)
      expect(sent[0]?.url).toBe(
        `https://restapi.cdn.azure.cn/subscriptions/${s}/endpoints/${e}/operations/${op}?apiVersion=1.0`
      )
      expect(sent[0]?.headers["x-azurecdn-request-date"]).toBe("2024-01-02 03:04:05")
      expect(sent[0]?.headers.authorization).toMatch(/^AzureCDN key-id-1:[0-9A-F]{64}$/)
    })
  )

  it.effect("a failed first attempt comes back as the rest of the call: the policy's retries, then the answer", () =>
    Effect.gen(function* () {
      const { sent, transport } = scripted([refused("InternalError", 503), answer(200, operation)])
      const got = yield* attempted(transport)
      expect(got.map((outcome) => outcome._tag)).toEqual(["Continue"])
      expect(sent).toHaveLength(1)
      const exit = yield* finish(restOf(got))
      expect(Exit.isSuccess(exit) && exit.value.status).toBe(200)
      expect(sent).toHaveLength(2)
    })
  )

  it.effect("a refusal no retry helps ends the rest of the call with the service's error, sent once", () =>
    Effect.gen(function* () {
      const { sent, transport } = scripted([refused("OperationNotFound", 404)])
      const got = yield* attempted(transport)
      const exit = yield* finish(restOf(got))
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "UnknownServiceError", status: 404 } } })
      expect(sent).toHaveLength(1)
    })
  )

  it.effect("a date the service calls off is corrected from its clock, as request does", () =>
    Effect.gen(function* () {
      const serverDate = "Tue, 02 Jan 2024 03:14:05 GMT"
      const { sent, transport } = scripted([
        refused("AuthorizationHeaderExpired", 401, { date: serverDate }),
        answer(200, operation)
      ])
      const got = yield* attempted(transport)
      const exit = yield* finish(restOf(got))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(sent.map((request) => request.headers["x-azurecdn-request-date"])).toEqual([
        "2024-01-02 03:04:05",
        "2024-01-02 03:14:05"
      ])
    })
  )

  it.effect("an input that is not valid is handed back failing with InvalidInput; nothing is sent", () =>
    Effect.gen(function* () {
      const { sent, transport } = scripted([answer(200, operation)])
      const got = yield* attempted(transport, { ...input, operationId: "not-a-guid" })
      const exit = yield* finish(restOf(got))
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "InvalidInput", field: "operationId" } } })
      expect(sent).toHaveLength(0)
    })
  )

  it.effect("a transport without dispatch hands back the whole call, which sends it", () =>
    Effect.gen(function* () {
      const { sent, transport } = scripted([answer(200, operation)], false)
      const got = yield* attempted(transport)
      expect(got.map((outcome) => outcome._tag)).toEqual(["Continue"])
      expect(sent).toHaveLength(0)
      const exit = yield* finish(restOf(got))
      expect(Exit.isSuccess(exit) && exit.value.status).toBe(200)
      expect(sent).toHaveLength(1)
    })
  )

  it.effect("a client built to log at debug level sends on a fiber, so that every attempt is logged", () =>
    Effect.gen(function* () {
      const { sent, transport } = scripted([answer(200, operation)])
      const got = yield* Logger.withMinimumLogLevel(attempted(transport), LogLevel.Debug)
      expect(got.map((outcome) => outcome._tag)).toEqual(["Continue"])
      expect(sent).toHaveLength(0)
    })
  )
})
