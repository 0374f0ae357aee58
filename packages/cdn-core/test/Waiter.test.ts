import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import * as CdnClient from "../src/CdnClient.js"
import * as CdnConfig from "../src/CdnConfig.js"
import * as Retry from "../src/Retry.js"
import * as Waiter from "../src/Waiter.js"

const ref = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
}

const operationBody = (status: string) => ({
  Id: ref.operationId,
  Type: "Purge",
  Status: status,
  Message: null,
  Start: "2017-05-02T06:34:07.869Z",
  End: status === "Processing" ? null : "2017-05-02T06:44:07.869Z",
  EndpointId: ref.endpointId,
  SubscriptionId: ref.subscriptionId
})

// A fake service answering the n-th request with answers[n] (the last one repeated), counting requests.
const fakeService = (answers: ReadonlyArray<{ readonly status: number; readonly body: unknown }>) => {
  const seen: Array<string> = []
  const http = HttpClient.make((request, url) =>
    Effect.sync(() => {
      // Every poll is signed afresh.
      expect(request.headers.authorization).toMatch(/^AzureCDN k:[0-9A-F]{64}$/)
      seen.push(url.toString())
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!
      return HttpClientResponse.fromWeb(
        request,
        new Response(JSON.stringify(answer.body), {
          status: answer.status,
          headers: { "content-type": "application/json", "x-correlation-id": `corr-${seen.length}` }
        })
      )
    })
  )
  return { http, seen }
}
const statuses = (...list: ReadonlyArray<string>) =>
  list.map((status) => ({ status: 200, body: operationBody(status) }))

// The client over the fake, without retries: every poll is one request.
const clientLayer = (http: HttpClient.HttpClient) =>
  CdnClient.CdnClient.Default.pipe(
    Layer.provide(CdnConfig.layer({ keyId: "k", keyValue: "v", baseUrl: "https://restapi.cdn.azure.cn" })),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, http)),
    Layer.provide(Layer.succeed(Retry.Policy, Retry.none))
  )

describe("waitForOperation", () => {
  it.effect("polls every interval until Succeeded and returns that operation", () =>
    Effect.gen(function* () {
      const { http, seen } = fakeService(statuses("Processing", "Processing", "Succeeded"))
      const progress: Array<Waiter.Progress> = []
      const fiber = yield* Waiter.waitForOperation(ref, {
        interval: "2 seconds",
        onProgress: (p) => Effect.sync(() => progress.push(p))
      }).pipe(Effect.provide(clientLayer(http)), Effect.fork)
      yield* TestClock.adjust("1999 millis")
      // Not before the interval has passed.
      expect(seen).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(seen).toHaveLength(2)
      yield* TestClock.adjust("2 seconds")
      const operation = yield* Fiber.join(fiber)
      expect(operation.status).toBe("Succeeded")
      expect(operation.id).toBe(ref.operationId)
      expect(progress.map((p) => p.operation.status)).toEqual(["Processing", "Processing", "Succeeded"])
      expect(progress.map((p) => p.polls)).toEqual([1, 2, 3])
      expect(progress.map((p) => p.elapsedMs)).toEqual([0, 2_000, 4_000])
      expect(seen).toHaveLength(3)
      expect(seen[0]).toBe(
        `https://restapi.cdn.azure.cn/subscriptions/${ref.subscriptionId}/endpoints/${ref.endpointId}/operations/${ref.operationId}?apiVersion=1.0`
      )
    })
  )

  it.effect("returns a Failed operation as a result, not an error", () =>
    Effect.gen(function* () {
      const { http } = fakeService(statuses("Processing", "Failed"))
      const fiber = yield* Waiter.waitForOperation(ref, { interval: "1 second" }).pipe(
        Effect.provide(clientLayer(http)),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).status).toBe("Failed")
    })
  )

  it.effect("accepts IDs in upper case and polls with them in lower case", () =>
    Effect.gen(function* () {
      const { http, seen } = fakeService(statuses("Succeeded"))
      const upper = {
        subscriptionId: ref.subscriptionId.toUpperCase(),
        endpointId: ref.endpointId.toUpperCase(),
        operationId: ref.operationId.toUpperCase()
      }
      const operation = yield* Waiter.waitForOperation(upper).pipe(Effect.provide(clientLayer(http)))
      expect(operation.status).toBe("Succeeded")
      expect(seen[0]).toContain(`/operations/${ref.operationId}?`)
    })
  )

  it.effect("times out with WaitTimedOut, naming the last status seen", () =>
    Effect.gen(function* () {
      const { http, seen } = fakeService(statuses("Processing"))
      const fiber = yield* Waiter.waitForOperation(ref, { interval: "2 seconds", timeout: "10 seconds" }).pipe(
        Effect.provide(clientLayer(http)),
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("WaitTimedOut")
      expect(error).toMatchObject({ operationId: ref.operationId, timeoutMs: 10_000, lastStatus: "Processing" })
      expect(error.message).toContain(ref.operationId)
      expect(error.message).toContain("Processing")
      // Polls at 0, 2, 4, 6, 8 s, and maybe one at the deadline itself.
      expect(seen.length).toBeGreaterThanOrEqual(5)
      expect(seen.length).toBeLessThanOrEqual(6)
      yield* TestClock.adjust("1 minute")
      expect(seen.length).toBeLessThanOrEqual(6)
    })
  )

  it.effect("stops polling when its fiber is interrupted", () =>
    Effect.gen(function* () {
      const { http, seen } = fakeService(statuses("Processing"))
      const fiber = yield* Waiter.waitForOperation(ref, { interval: "2 seconds" }).pipe(
        Effect.provide(clientLayer(http)),
        Effect.fork
      )
      yield* TestClock.adjust("5 seconds")
      expect(seen).toHaveLength(3)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("10 minutes")
      expect(seen).toHaveLength(3)
    })
  )

  it.effect("fails with the service's typed error and stops polling", () =>
    Effect.gen(function* () {
      const notFound = { Succeeded: false, ErrorInfo: { Type: "EndpointNotFound", Message: "No such endpoint." } }
      const { http, seen } = fakeService([...statuses("Processing"), { status: 404, body: notFound }])
      const fiber = yield* Waiter.waitForOperation(ref, { interval: "2 seconds" }).pipe(
        Effect.provide(clientLayer(http)),
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("EndpointNotFound")
      expect(error).toMatchObject({ status: 404, correlationId: "corr-2" })
      expect(seen).toHaveLength(2)
    })
  )

  it.effect("refuses an ID that is not a GUID before sending anything", () =>
    Effect.gen(function* () {
      const { http, seen } = fakeService(statuses("Succeeded"))
      const error = yield* Waiter.waitForOperation({ ...ref, operationId: "42" }).pipe(
        Effect.provide(clientLayer(http)),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "InvalidInput", field: "operationId" })
      expect(error.message).toContain("OperationId must be a GUID")
      expect(seen).toHaveLength(0)
    })
  )
})

describe("startThenFollow", () => {
  const ids = {
    subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
    endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0"
  }
  const accepted = { succeeded: true, isAsync: true, taskTrackId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31" } as never

  it.effect("sends the write once, then follows the operation it names", () =>
    Effect.gen(function* () {
      let sent = 0
      const followedRefs: Array<unknown> = []
      const started = yield* Waiter.startThenFollow(
        Effect.sync(() => {
          sent += 1
          return accepted
        }),
        ids,
        (ref) => Effect.sync(() => followedRefs.push(ref)).pipe(Effect.as("followed"))
      )
      expect(sent).toBe(1)
      expect(started.followed).toBe("followed")
      expect(followedRefs).toEqual([{ ...ids, operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31" }])
    })
  )

  it.effect("without a follower, or with no operation named, the write alone", () =>
    Effect.gen(function* () {
      const alone = yield* Waiter.startThenFollow<never, never, never, never, never>(
        Effect.succeed(accepted),
        ids,
        undefined
      )
      expect(alone.followed).toBeUndefined()
      const unnamed = yield* Waiter.startThenFollow(Effect.succeed({ succeeded: true } as never), ids, () =>
        Effect.succeed(1)
      )
      expect(unnamed.followed).toBeUndefined()
    })
  )

  it.effect("a bad wait option is refused before the write is sent", () =>
    Effect.gen(function* () {
      let sent = 0
      const result = yield* Effect.either(
        Waiter.startThenFollow(
          Effect.sync(() => {
            sent += 1
            return accepted
          }),
          ids,
          () => Effect.succeed(1),
          { interval: "0ms" }
        )
      )
      expect(result._tag).toBe("Left")
      expect(sent).toBe(0)
    })
  )
})
