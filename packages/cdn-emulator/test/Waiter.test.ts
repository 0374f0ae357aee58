import { describe, expect, it } from "@effect/vitest"
import { type CdnClient, Waiter } from "@org/cdn-core"
import { DateTime, Effect, Fiber, TestClock } from "effect"
import { control, failureOf, requestLog, seed, setFaults, startTime, successOf, withEmulator } from "./support.js"

/** Creates an operation on the seed endpoint through the control API and gives its reference. */
const createOperation = (body: Record<string, unknown>) =>
  Effect.gen(function* () {
    const answer = yield* control("POST", "/_emulator/operations", {
      SubscriptionId: seed.subscriptionId,
      EndpointId: seed.endpointId,
      ...body
    })
    expect(answer.status).toBe(201)
    const { Id } = answer.json as { Id: string }
    return { subscriptionId: seed.subscriptionId, endpointId: seed.endpointId, operationId: Id.toUpperCase() }
  })

/** Waits, collecting the statuses that onProgress saw. */
const waitCollecting = (ref: CdnClient.OperationRefInput, options: Omit<Waiter.WaitOptions, "onProgress">) => {
  const seen: Array<string> = []
  const wait = Waiter.waitForOperation(ref, {
    ...options,
    onProgress: (progress) => Effect.sync(() => seen.push(progress.operation.status))
  })
  return { seen, wait }
}

describe("Waiter against the emulator", () => {
  it.effect("an operation of 5 s polled every second: Processing, then Succeeded with End set", () =>
    withEmulator()(
      Effect.gen(function* () {
        const ref = yield* createOperation({ DurationMs: 5000 })
        const { seen, wait } = waitCollecting(ref, { interval: "1 second", timeout: "1 minute" })
        const fiber = yield* Effect.fork(wait)
        yield* TestClock.adjust("4999 millis")
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 millis")
        const operation = yield* Fiber.join(fiber)
        expect(operation.status).toBe("Succeeded")
        expect(operation.end && DateTime.toEpochMillis(operation.end)).toBe(startTime + 5000)
        expect(seen).toEqual(["Processing", "Processing", "Processing", "Processing", "Processing", "Succeeded"])
        // One signed request per poll, and no more.
        const log = yield* requestLog
        expect(log).toHaveLength(6)
        expect(log.every((entry) => entry.signatureValid)).toBe(true)
      })
    )
  )

  it.effect("a queued operation reports NotSet, then Processing, then its end", () =>
    withEmulator()(
      Effect.gen(function* () {
        const ref = yield* createOperation({ QueuedMs: 2000, DurationMs: 2000 })
        const { seen, wait } = waitCollecting(ref, { interval: "1 second" })
        yield* successOf(wait)
        expect(seen).toEqual(["NotSet", "NotSet", "Processing", "Processing", "Succeeded"])
      })
    )
  )

  it.effect("FinalStatus Failed: the wait returns the Failed operation with its message", () =>
    withEmulator()(
      Effect.gen(function* () {
        const ref = yield* createOperation({ DurationMs: 3000, FinalStatus: "Failed", Message: "origin unreachable" })
        const { seen, wait } = waitCollecting(ref, { interval: "1 second" })
        const operation = yield* successOf(wait)
        expect(operation.status).toBe("Failed")
        expect(operation.message).toBe("origin unreachable")
        expect(seen.at(-1)).toBe("Failed")
      })
    )
  )

  it.effect("a deadline shorter than the operation: WaitTimedOut with the last status seen", () =>
    withEmulator()(
      Effect.gen(function* () {
        const ref = yield* createOperation({ DurationMs: 10_000 })
        const { seen, wait } = waitCollecting(ref, { interval: "1 second", timeout: "3 seconds" })
        const error = yield* failureOf(wait)
        expect(error).toMatchObject({
          _tag: "WaitTimedOut",
          operationId: ref.operationId.toLowerCase(),
          timeoutMs: 3000,
          lastStatus: "Processing"
        })
        expect(error.message).toContain("Processing")
        expect(seen.every((status) => status === "Processing")).toBe(true)
        // Polling stopped at the deadline: nothing reached the emulator afterwards.
        const polls = (yield* requestLog).length
        yield* TestClock.adjust("1 minute")
        expect(yield* requestLog).toHaveLength(polls)
      })
    )
  )

  it.effect("a throttled poll is retried inside the call: the wait still ends", () =>
    withEmulator()(
      Effect.gen(function* () {
        const ref = yield* createOperation({ DurationMs: 2000 })
        yield* setFaults({ throttle: { every: 2, retryAfterSeconds: 1 } })
        const { seen, wait } = waitCollecting(ref, { interval: "1 second" })
        expect((yield* successOf(wait)).status).toBe("Succeeded")
        // A throttled attempt is not a poll: onProgress saw only answers.
        expect(seen.at(-1)).toBe("Succeeded")
        const outcomes = (yield* requestLog).map((entry) => entry.outcome)
        expect(outcomes).toContain("RequestThrottled")
        expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(seen.length)
      })
    )
  )

  it.effect("an error from a poll ends the wait with that error", () =>
    withEmulator()(
      Effect.gen(function* () {
        const ref = yield* createOperation({ DurationMs: 5000 })
        yield* setFaults({ error: { every: 2, type: "InvalidApiKey" } })
        const error = yield* failureOf(Waiter.waitForOperation(ref, { interval: "1 second" }))
        expect(error._tag).toBe("InvalidApiKey")
        expect(yield* requestLog).toHaveLength(2)
      })
    )
  )
})
