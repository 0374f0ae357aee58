import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Either, Fiber, Random, Schedule, TestClock } from "effect"
import fc from "fast-check"
import type * as CdnConfig from "../src/CdnConfig.js"
import * as Errors from "../src/Errors.js"
import * as Retry from "../src/Retry.js"

const runs = { seed: 20170502, numRuns: 200 }

const limits: CdnConfig.RetryLimits = {
  maxAttempts: 10,
  maxElapsed: Duration.hours(1),
  baseDelay: Duration.millis(200),
  maxDelay: Duration.seconds(5)
}

const facts = (status: number, retryAfterMs?: number): Errors.ResponseFacts => ({
  status,
  correlationId: "corr-1",
  retryAfterMs,
  serverDate: undefined
})
const throttled = (retryAfterMs?: number) => Errors.fromErrorInfo("RequestThrottled", null, facts(429, retryAfterMs))
const wrongSignature = Errors.fromErrorInfo("WrongSignature", null, facts(401))
const invalidInput = new Errors.InvalidInput({ field: "operationId", message: "operationId: not a GUID" })
const unreadable = (status: number) => Errors.unreadable("not-json", "<html>Bad Gateway</html>", facts(status))

// The policy's decisions for a run of failures, without sleeping: the clock moves by each delay.
const decisions = (policy: Retry.RetryPolicy, errors: ReadonlyArray<Errors.CdnError>, seed = 1) =>
  Schedule.run(policy, 0, errors).pipe(
    Effect.map((steps) => Chunk.toReadonlyArray(steps).map((step) => step.delayMs)),
    Effect.withRandom(Random.make(seed))
  )

// The backoff window for the n-th retry (1-based), before jitter.
const ceiling = (n: number) => Math.min(5_000, 200 * 2 ** (n - 1))

// Runs an effect that fails with errors[i] on attempt i + 1 and then succeeds, retried by `policy`,
// with the TestClock run forward an hour; returns the outcome and when each attempt started, from the first.
const retried = (errors: ReadonlyArray<Errors.CdnError>, policy: Retry.RetryPolicy) =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    const times: Array<number> = []
    const attempt = Effect.gen(function* () {
      times.push((yield* Clock.currentTimeMillis) - start)
      const error = errors[times.length - 1]
      return error === undefined ? "done" : yield* Effect.fail(error)
    })
    const fiber = yield* Effect.fork(Effect.either(Effect.retry(attempt, policy)))
    yield* TestClock.adjust("1 hour")
    return { result: yield* Fiber.join(fiber), times }
  }).pipe(Effect.withRandom(Random.make(7)))

describe("isRetryable", () => {
  it.each([
    ["RequestThrottled (429)", throttled(), true],
    ["TransportError", new Errors.TransportError({ message: "ECONNRESET", method: "GET", url: "https://x/" }), true],
    [
      "RequestTimeout",
      new Errors.RequestTimeout({ message: "slow", method: "GET", url: "https://x/", timeoutMs: 10_000 }),
      true
    ],
    ["UnreadableResponse 502", unreadable(502), true],
    ["UnreadableResponse 503", unreadable(503), true],
    ["UnreadableResponse 504", unreadable(504), true],
    ["UnreadableResponse 500", unreadable(500), true],
    ["InternalError (500)", Errors.fromErrorInfo("InternalError", null, facts(500)), true],
    ["UnexpectedRedirect (301)", Errors.redirected(301, "http://elsewhere.example/", "c"), false],
    [
      "TransportError ENOTFOUND",
      new Errors.TransportError({ message: "x", method: "GET", url: "u", code: "ENOTFOUND" }),
      false
    ],
    [
      "TransportError EAI_AGAIN",
      new Errors.TransportError({ message: "x", method: "GET", url: "u", code: "EAI_AGAIN" }),
      true
    ],
    [
      "TransportError TLS mismatch",
      new Errors.TransportError({ message: "x", method: "GET", url: "u", code: "ERR_TLS_MISMATCH" }),
      false
    ],
    [
      "TransportError not HTTP",
      new Errors.TransportError({ message: "x", method: "GET", url: "u", code: "ERR_NOT_HTTP" }),
      false
    ],
    [
      "TransportError bad port",
      new Errors.TransportError({ message: "x", method: "GET", url: "u", code: "ERR_BAD_PORT" }),
      false
    ],
    ["UnreadableResponse 200 of an unexpected shape", Errors.unreadable("unexpected-shape", "{}", facts(200)), false],
    ["UnknownServiceError 503", Errors.fromErrorInfo("Maintenance", null, facts(503)), true],
    ["UnknownServiceError 400", Errors.fromErrorInfo("Whatever", null, facts(400)), false],
    ["WrongSignature (401)", wrongSignature, false],
    ["AuthorizationHeaderExpired (401)", Errors.fromErrorInfo("AuthorizationHeaderExpired", null, facts(401)), false],
    ["EndpointNotFound (404)", Errors.fromErrorInfo("EndpointNotFound", null, facts(404)), false],
    ["InvalidInput", invalidInput, false]
  ] as const)("%s → %s", (_name, error, expected) => {
    expect(Retry.isRetryable(error)).toBe(expected)
  })
})

describe("parseRetryAfter", () => {
  const now = Date.parse("2017-05-02T06:34:07Z")

  it("reads delay-seconds as milliseconds", () => {
    expect(Retry.parseRetryAfter("3", now)).toBe(3_000)
    expect(Retry.parseRetryAfter(" 120 ", now)).toBe(120_000)
    expect(Retry.parseRetryAfter("0", now)).toBe(0)
  })

  it("reads an HTTP date as the time until then", () => {
    expect(Retry.parseRetryAfter("Tue, 02 May 2017 06:34:10 GMT", now)).toBe(3_000)
  })

  it("reads an HTTP date already past as no wait", () => {
    expect(Retry.parseRetryAfter("Tue, 02 May 2017 06:00:00 GMT", now)).toBe(0)
  })

  it("is undefined without a header, or with one it cannot read", () => {
    expect(Retry.parseRetryAfter(undefined, now)).toBeUndefined()
    for (const header of ["", "soon", "3s", "-1", "1.5", "+3"]) {
      // A misread value must not become "retry at once" against a throttling service.
      expect(Retry.parseRetryAfter(header, now)).toBeUndefined()
    }
  })
})

describe("policy", () => {
  it("draws each backoff between half and all of base·2^(n-1), capped at maxDelay", () => {
    const errors = Array.from({ length: 9 }, () => throttled())
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const delays = Effect.runSync(decisions(Retry.policy(limits), errors, seed))
        // Nine failures with ten attempts allowed: nine retries, the last one capped at 5 s.
        expect(delays).toHaveLength(9)
        delays.forEach((delay, i) => {
          expect(delay).toBeGreaterThanOrEqual(0.5 * ceiling(i + 1))
          expect(delay).toBeLessThanOrEqual(ceiling(i + 1))
        })
      }),
      runs
    )
  })

  it.effect("sleeps exactly the drawn delays between attempts, then succeeds", () =>
    Effect.gen(function* () {
      const delays: Array<number> = []
      const policy = Retry.policy(limits).pipe(
        Schedule.tapOutput((step) => Effect.sync(() => step.delayMs !== undefined && delays.push(step.delayMs)))
      )
      let attempts = 0
      const attempt = Effect.suspend(() => {
        attempts += 1
        return attempts <= 3 ? Effect.fail(throttled()) : Effect.succeed(attempts)
      })
      const fiber = yield* Effect.fork(Effect.retry(attempt, policy))
      for (let n = 1; n <= 3; n++) {
        // Let the fiber fail and start its sleep, then step the clock to one millisecond short of it.
        yield* TestClock.adjust(0)
        const delay = delays[n - 1]!
        expect(delay).toBeGreaterThanOrEqual(0.5 * ceiling(n))
        expect(delay).toBeLessThanOrEqual(ceiling(n))
        yield* TestClock.adjust(delay - 1)
        expect(attempts).toBe(n)
        yield* TestClock.adjust(1)
        expect(attempts).toBe(n + 1)
      }
      expect(yield* Fiber.join(fiber)).toBe(4)
      expect(delays).toHaveLength(3)
    }).pipe(Effect.withRandom(Random.make(42)))
  )

  it.effect("draws the same delays from the same seed", () =>
    Effect.gen(function* () {
      const errors = [throttled(), throttled(), throttled()]
      const first = yield* retried(errors, Retry.policy(limits))
      const second = yield* retried(errors, Retry.policy(limits))
      expect(first.result).toEqual(Either.right("done"))
      expect(first.times).toHaveLength(4)
      expect(second.times).toEqual(first.times)
    })
  )

  it.effect("waits exactly a Retry-After of 3 s", () =>
    Effect.gen(function* () {
      expect(yield* decisions(Retry.policy(limits), [throttled(3_000)])).toEqual([3_000])
      const { result, times } = yield* retried([throttled(3_000)], Retry.policy(limits))
      expect(result).toEqual(Either.right("done"))
      expect(times).toEqual([0, 3_000])
    })
  )

  it.effect("honours a Retry-After longer than maxDelay", () =>
    Effect.gen(function* () {
      expect(yield* decisions(Retry.policy(limits), [throttled(12_000)])).toEqual([12_000])
    })
  )

  it.effect("makes at most maxAttempts attempts and fails with the last error", () =>
    Effect.gen(function* () {
      const policy = Retry.policy({ ...limits, maxAttempts: 3 })
      const last = throttled(1_000)
      const { result, times } = yield* retried([throttled(1_000), throttled(1_000), last, throttled(1_000)], policy)
      expect(times).toEqual([0, 1_000, 2_000])
      expect(result).toEqual(Either.left(last))
      expect(yield* decisions(policy, [throttled(), throttled(), throttled()])).toHaveLength(3)
      expect((yield* decisions(policy, [throttled(), throttled(), throttled()]))[2]).toBeUndefined()
    })
  )

  it.effect("stops retrying when the next delay would pass maxElapsed", () =>
    Effect.gen(function* () {
      const policy = Retry.policy({ ...limits, maxElapsed: Duration.millis(2_500) })
      const errors = Array.from({ length: 5 }, () => throttled(1_000))
      // Retries at 1 s and 2 s; one at 3 s would pass the 2.5 s budget.
      expect(yield* decisions(policy, errors)).toEqual([1_000, 1_000, undefined])
      const { result, times } = yield* retried(errors, policy)
      expect(times).toEqual([0, 1_000, 2_000])
      expect(Either.isLeft(result)).toBe(true)
    })
  )

  it.effect("does not sleep a Retry-After that is longer than the whole budget", () =>
    Effect.gen(function* () {
      const policy = Retry.policy({ ...limits, maxElapsed: Duration.seconds(30) })
      expect(yield* decisions(policy, [throttled(60_000)])).toEqual([undefined])
    })
  )

  it("keeps backoff within maxElapsed whatever the draws", () => {
    const policy = Retry.policy({ ...limits, maxAttempts: 100, maxElapsed: Duration.seconds(3) })
    const errors = Array.from({ length: 100 }, () => throttled())
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const delays = Effect.runSync(decisions(policy, errors, seed))
        const slept = delays.filter((delay) => delay !== undefined)
        expect(delays.at(-1)).toBeUndefined()
        expect(slept.reduce((sum, delay) => sum + delay, 0)).toBeLessThanOrEqual(3_000)
      }),
      runs
    )
  })

  it.effect.each([
    ["WrongSignature", wrongSignature],
    ["InvalidInput", invalidInput],
    ["UnreadableResponse 400", unreadable(400)]
  ] as const)("does not retry %s", ([_name, error]) =>
    Effect.gen(function* () {
      const { result, times } = yield* retried([error, error], Retry.policy(limits))
      expect(times).toEqual([0])
      expect(result).toEqual(Either.left(error))
    })
  )

  it.effect.each([500, 502, 503, 504])("retries an unreadable %s answer from a gateway", (status) =>
    Effect.gen(function* () {
      const { result, times } = yield* retried([unreadable(status)], Retry.policy(limits))
      expect(times).toHaveLength(2)
      expect(result).toEqual(Either.right("done"))
    })
  )

  it.effect("Retry.none makes a single attempt, even when throttled", () =>
    Effect.gen(function* () {
      const { result, times } = yield* retried([throttled(1_000)], Retry.none)
      expect(times).toEqual([0])
      expect(Either.isLeft(result)).toBe(true)
    })
  )
})
