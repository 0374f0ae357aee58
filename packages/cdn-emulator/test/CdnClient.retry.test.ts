import { describe, expect, it } from "@effect/vitest"
import { CdnClient, type Errors, Retry } from "@org/cdn-core"
import { Effect, Fiber, TestClock } from "effect"
import { failureOf, requestLog, seed, seedRefUpper, setFaults, successOf, withEmulator } from "./support.js"

const gaps = (times: ReadonlyArray<string>) => times.slice(1).map((at, i) => Date.parse(at) - Date.parse(times[i]!))

describe("CdnClient against the emulator: retries", () => {
  it.effect("every retry is signed afresh: three valid signatures, three different dates", () =>
    withEmulator({ config: { retry: { maxAttempts: 4 } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { times: 2, retryAfterSeconds: 2 } })
        const client = yield* CdnClient.CdnClient
        const operation = yield* successOf(client.getOperation(seedRefUpper))
        expect(operation.status).toBe("Succeeded")
        const log = yield* requestLog
        expect(log.map((entry) => entry.outcome)).toEqual(["RequestThrottled", "RequestThrottled", "ok"])
        expect(log.map((entry) => entry.signatureValid)).toEqual([true, true, true])
        expect(log.map((entry) => entry.date)).toEqual([
          "2024-06-01 08:00:00",
          "2024-06-01 08:00:02",
          "2024-06-01 08:00:04"
        ])
      })
    )
  )

  it.effect("Retry-After is honoured to the millisecond: not a moment before", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { times: 1, retryAfterSeconds: 3 } })
        const client = yield* CdnClient.CdnClient
        const fiber = yield* Effect.fork(client.getOperation(seedRefUpper))
        yield* TestClock.adjust("2999 millis")
        expect(yield* requestLog).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        expect(yield* requestLog).toHaveLength(2)
        expect((yield* Fiber.join(fiber)).status).toBe("Succeeded")
      })
    )
  )

  it.effect("without Retry-After, the backoff doubles, with jitter, from baseDelay", () =>
    withEmulator({ config: { retry: { maxAttempts: 4, baseDelay: "1 second", maxDelay: "10 seconds" } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { times: 3 } })
        const client = yield* CdnClient.CdnClient
        yield* successOf(client.getOperation(seedRefUpper))
        const log = yield* requestLog
        expect(log.map((entry) => entry.outcome)).toEqual([
          "RequestThrottled",
          "RequestThrottled",
          "RequestThrottled",
          "ok"
        ])
        // Each delay lies between half and all of 1 s, 2 s, 4 s.
        const [first, second, third] = gaps(log.map((entry) => entry.at))
        expect(first).toBeGreaterThanOrEqual(500)
        expect(first).toBeLessThanOrEqual(1000)
        expect(second).toBeGreaterThanOrEqual(1000)
        expect(second).toBeLessThanOrEqual(2000)
        expect(third).toBeGreaterThanOrEqual(2000)
        expect(third).toBeLessThanOrEqual(4000)
      })
    )
  )

  it.effect("maxDelay caps the backoff", () =>
    withEmulator({ config: { retry: { maxAttempts: 4, baseDelay: "1 second", maxDelay: "1 second" } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { times: 3 } })
        const client = yield* CdnClient.CdnClient
        yield* successOf(client.getOperation(seedRefUpper))
        for (const gap of gaps((yield* requestLog).map((entry) => entry.at))) {
          expect(gap).toBeGreaterThanOrEqual(500)
          expect(gap).toBeLessThanOrEqual(1000)
        }
      })
    )
  )

  it.effect("maxAttempts 3: exactly three requests, then RequestThrottled", () =>
    withEmulator({ config: { retry: { maxAttempts: 3, maxElapsed: "10 minutes" } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { every: 1, retryAfterSeconds: 1 } })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("RequestThrottled")
        expect(yield* requestLog).toHaveLength(3)
      })
    )
  )

  it.effect("maxAttempts 1 turns retries off", () =>
    withEmulator({ config: { retry: { maxAttempts: 1 } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { every: 1, retryAfterSeconds: 1 } })
        const client = yield* CdnClient.CdnClient
        expect((yield* failureOf(client.getOperation(seedRefUpper)))._tag).toBe("RequestThrottled")
        expect(yield* requestLog).toHaveLength(1)
      })
    )
  )

  it.effect("maxElapsed: a Retry-After longer than the budget is not waited for", () =>
    withEmulator({ config: { retry: { maxAttempts: 5, maxElapsed: "5 seconds" } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { every: 1, retryAfterSeconds: 10 } })
        const client = yield* CdnClient.CdnClient
        // No clock adjustment at all: the call must give up at once rather than sleep.
        const error = (yield* Effect.flip(client.getOperation(seedRefUpper))) as Errors.RequestThrottled
        expect(error._tag).toBe("RequestThrottled")
        expect(error.retryAfterMs).toBe(10_000)
        expect(yield* requestLog).toHaveLength(1)
      })
    )
  )

  it.effect("maxElapsed counts the delay about to be slept: 2 s waits fit twice into 5 s, not three times", () =>
    withEmulator({ config: { retry: { maxAttempts: 10, maxElapsed: "5 seconds" } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { every: 1, retryAfterSeconds: 2 } })
        const client = yield* CdnClient.CdnClient
        expect((yield* failureOf(client.getOperation(seedRefUpper)))._tag).toBe("RequestThrottled")
        expect((yield* requestLog).map((entry) => entry.date)).toEqual([
          "2024-06-01 08:00:00",
          "2024-06-01 08:00:02",
          "2024-06-01 08:00:04"
        ])
      })
    )
  )

  it.effect("a 503 with an undocumented type is transient: retried, then answered", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ error: { times: 1, type: "ServiceUnavailable", status: 503 } })
        const client = yield* CdnClient.CdnClient
        expect((yield* successOf(client.getOperation(seedRefUpper))).status).toBe("Succeeded")
        expect((yield* requestLog).map((entry) => entry.outcome)).toEqual(["ServiceUnavailable", "ok"])
      })
    )
  )

  it.effect("InternalError (500) is retried for a read, and never for a write", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ error: { times: 1, type: "InternalError", status: 500 } })
        const client = yield* CdnClient.CdnClient
        expect((yield* successOf(client.getOperation(seedRefUpper))).status).toBe("Succeeded")
        expect((yield* requestLog).map((entry) => entry.status)).toEqual([500, 200])
        yield* setFaults({ error: { every: 1, type: "InternalError", status: 500 } })
        const error = yield* failureOf(client.purge({ ...seed, files: ["http://file.example.cn/a.png"] }))
        expect(error).toMatchObject({ _tag: "InternalError", status: 500 })
        expect(yield* requestLog).toHaveLength(3)
      })
    )
  )

  it.effect("the policy is the caller's to replace: Retry.none gives up on the first throttle", () =>
    withEmulator({ policy: Retry.none })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { times: 1, retryAfterSeconds: 1 } })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error).toMatchObject({ _tag: "RequestThrottled", retryAfterMs: 1000 })
        expect(yield* requestLog).toHaveLength(1)
      })
    )
  )
})
