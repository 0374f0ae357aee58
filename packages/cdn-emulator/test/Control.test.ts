import { describe, expect, it } from "@effect/vitest"
import { CdnClient } from "@org/cdn-core"
import { DateTime, Effect, TestClock } from "effect"
import {
  control,
  failureOf,
  otherEndpoint,
  otherOperation,
  otherSubscription,
  requestLog,
  seed,
  seedRefUpper,
  setFaults,
  startTime,
  successOf,
  withEmulator
} from "./support.js"

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const onSeedEndpoint = { SubscriptionId: seed.subscriptionId, EndpointId: seed.endpointId }

const statusOf = (operationId: string) =>
  Effect.flatMap(CdnClient.CdnClient, (client) =>
    client.getOperation({ subscriptionId: seed.subscriptionId, endpointId: seed.endpointId, operationId })
  )

describe("Control API: operations", () => {
  it.effect("POST /_emulator/operations → 201 with the service's JSON shape and a new lower-case GUID", () =>
    withEmulator()(
      Effect.gen(function* () {
        const answer = yield* control("POST", "/_emulator/operations", { ...onSeedEndpoint, DurationMs: 5000 })
        expect(answer.status).toBe(201)
        const body = answer.json as Record<string, unknown>
        expect(Object.keys(body).sort()).toEqual(
          ["End", "EndpointId", "Id", "Message", "Start", "Status", "SubscriptionId", "Type"].sort()
        )
        expect(body).toMatchObject({
          Type: "Purge",
          Status: "Processing",
          Message: null,
          Start: new Date(startTime).toISOString(),
          End: null,
          EndpointId: seed.endpointId,
          SubscriptionId: seed.subscriptionId
        })
        expect(body.Id).toMatch(guid)
        expect(body.Id).not.toBe(seed.operationId)
        // Two creations, two IDs.
        const again = yield* control("POST", "/_emulator/operations", onSeedEndpoint)
        expect((again.json as { Id: string }).Id).not.toBe(body.Id)
      })
    )
  )

  it.effect("reads Processing until DurationMs has passed on the clock, then its FinalStatus with End set", () =>
    withEmulator()(
      Effect.gen(function* () {
        const created = yield* control("POST", "/_emulator/operations", { ...onSeedEndpoint, DurationMs: 5000 })
        const { Id } = created.json as { Id: string }
        expect((yield* statusOf(Id)).status).toBe("Processing")
        yield* TestClock.adjust("4999 millis")
        const processing = yield* statusOf(Id)
        expect(processing.status).toBe("Processing")
        expect(processing.end).toBeNull()
        yield* TestClock.adjust("1 millis")
        const done = yield* statusOf(Id)
        expect(done.status).toBe("Succeeded")
        expect(done.end && DateTime.toEpochMillis(done.end)).toBe(startTime + 5000)
        expect(DateTime.toEpochMillis(done.start)).toBe(startTime)
      })
    )
  )

  it.effect("FinalStatus Failed, with its Message, once finished", () =>
    withEmulator()(
      Effect.gen(function* () {
        const created = yield* control("POST", "/_emulator/operations", {
          ...onSeedEndpoint,
          Type: "Preload",
          DurationMs: 1000,
          FinalStatus: "Failed",
          Message: "origin unreachable"
        })
        const { Id } = created.json as { Id: string }
        expect(yield* statusOf(Id)).toMatchObject({ type: "Preload", status: "Processing", message: null })
        yield* TestClock.adjust("1 second")
        expect(yield* statusOf(Id)).toMatchObject({ type: "Preload", status: "Failed", message: "origin unreachable" })
      })
    )
  )

  it.effect("QueuedMs: NotSet first, then Processing, then done; Start is when it left the queue", () =>
    withEmulator()(
      Effect.gen(function* () {
        const created = yield* control("POST", "/_emulator/operations", {
          ...onSeedEndpoint,
          QueuedMs: 2000,
          DurationMs: 3000
        })
        expect(created.json).toMatchObject({ Status: "NotSet", Start: new Date(startTime + 2000).toISOString() })
        const { Id } = created.json as { Id: string }
        expect((yield* statusOf(Id)).status).toBe("NotSet")
        yield* TestClock.adjust("2 seconds")
        expect((yield* statusOf(Id)).status).toBe("Processing")
        yield* TestClock.adjust("3 seconds")
        expect((yield* statusOf(Id)).status).toBe("Succeeded")
      })
    )
  )

  it.effect("no duration: finished at once; a given Id in upper case is kept in lower case", () =>
    withEmulator()(
      Effect.gen(function* () {
        const created = yield* control("POST", "/_emulator/operations", {
          SubscriptionId: seed.subscriptionId.toUpperCase(),
          EndpointId: seed.endpointId.toUpperCase(),
          Id: otherOperation.toUpperCase()
        })
        expect(created.json).toMatchObject({ Id: otherOperation, Status: "Succeeded", EndpointId: seed.endpointId })
        expect((yield* statusOf(otherOperation.toUpperCase())).status).toBe("Succeeded")
      })
    )
  )

  it.effect("an operation on a new subscription and endpoint creates them", () =>
    withEmulator()(
      Effect.gen(function* () {
        const created = yield* control("POST", "/_emulator/operations", {
          SubscriptionId: otherSubscription,
          EndpointId: otherEndpoint,
          Id: otherOperation
        })
        expect(created.status).toBe(201)
        const client = yield* CdnClient.CdnClient
        const operation = yield* client.getOperation({
          subscriptionId: otherSubscription,
          endpointId: otherEndpoint,
          operationId: otherOperation
        })
        expect(operation.subscriptionId).toBe(otherSubscription)
      })
    )
  )

  it.effect("an operation on an endpoint of another subscription → 409", () =>
    withEmulator()(
      Effect.gen(function* () {
        const answer = yield* control("POST", "/_emulator/operations", {
          SubscriptionId: otherSubscription,
          EndpointId: seed.endpointId
        })
        expect(answer.status).toBe(409)
        expect(answer.json).toEqual({ error: expect.stringContaining(seed.endpointId) })
      })
    )
  )

  it.effect.each([
    ["not JSON", "{nope", "not JSON"],
    ["no SubscriptionId", { EndpointId: seed.endpointId }, "SubscriptionId"],
    ["an ID that is not a GUID", { ...onSeedEndpoint, Id: "op-1" }, "GUID"],
    ["an unknown FinalStatus", { ...onSeedEndpoint, FinalStatus: "Done" }, "FinalStatus"],
    ["a negative DurationMs", { ...onSeedEndpoint, DurationMs: -5 }, "DurationMs"],
    ["a fractional QueuedMs", { ...onSeedEndpoint, QueuedMs: 1.5 }, "QueuedMs"]
  ] as const)("a bad body (%s) → 400 with {error}", ([, body, mentions]) =>
    withEmulator()(
      Effect.gen(function* () {
        const answer = yield* control("POST", "/_emulator/operations", body)
        expect(answer.status).toBe(400)
        expect(answer.json).toEqual({ error: expect.stringContaining(mentions) })
      })
    )
  )
})

describe("Control API: endpoints", () => {
  it.effect("POST /_emulator/endpoints → 201; a Stopped endpoint refuses writes, its operations still read", () =>
    withEmulator()(
      Effect.gen(function* () {
        const body = { SubscriptionId: seed.subscriptionId, EndpointId: seed.endpointId, State: "Stopped" }
        const answer = yield* control("POST", "/_emulator/endpoints", body)
        expect(answer).toMatchObject({ status: 201, json: body })
        const client = yield* CdnClient.CdnClient
        const purge = client.purge({ ...seedRefUpper, files: ["http://file.example.cn/a.png"] })
        expect((yield* failureOf(purge))._tag).toBe("EndpointNotInActiveState")
        expect((yield* successOf(client.getOperation(seedRefUpper))).status).toBe("Succeeded")
        expect((yield* successOf(client.getEndpoint(seedRefUpper))).status.enabled).toBe(false)
        // Active again: writes are accepted.
        yield* control("POST", "/_emulator/endpoints", { ...body, State: "Active" })
        expect((yield* successOf(purge)).taskTrackId).toMatch(/^[0-9a-f-]{36}$/)
      })
    )
  )

  it.effect("moving an endpoint to another subscription → 409; a bad State → 400", () =>
    withEmulator()(
      Effect.gen(function* () {
        const moved = yield* control("POST", "/_emulator/endpoints", {
          SubscriptionId: otherSubscription,
          EndpointId: seed.endpointId
        })
        expect(moved.status).toBe(409)
        const bad = yield* control("POST", "/_emulator/endpoints", { ...onSeedEndpoint, State: "Paused" })
        expect(bad.status).toBe(400)
        expect(bad.json).toEqual({ error: expect.stringContaining("State") })
      })
    )
  )
})

describe("Control API: the request log", () => {
  it.effect("GET /_emulator/requests lists API requests (not control ones); DELETE empties it", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        yield* client.getOperation(seedRefUpper)
        const listed = yield* control("GET", "/_emulator/requests")
        expect(listed.status).toBe(200)
        const entries = listed.json as Array<Record<string, unknown>>
        expect(entries).toHaveLength(1)
        expect(entries[0]).toMatchObject({
          method: "GET",
          path: `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}`,
          query: { apiVersion: "1.0" },
          date: "2024-06-01 08:00:00",
          keyId: "emulator-key",
          signatureValid: true,
          status: 200,
          outcome: "ok",
          at: new Date(startTime).toISOString()
        })
        expect(entries[0]?.correlationId).toMatch(guid)
        expect(yield* requestLog).toEqual(entries)

        const cleared = yield* control("DELETE", "/_emulator/requests")
        expect(cleared.status).toBe(204)
        expect((yield* control("GET", "/_emulator/requests")).json).toEqual([])
      })
    )
  )

  it.effect("requestLogLimit keeps the newest entries", () =>
    withEmulator({ emulator: { requestLogLimit: 2 } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        for (let i = 0; i < 5; i++) {
          yield* client.getOperation(seedRefUpper)
          yield* TestClock.adjust("1 second")
        }
        const entries = (yield* control("GET", "/_emulator/requests")).json as Array<{ date: string }>
        expect(entries.map((entry) => entry.date)).toEqual(["2024-06-01 08:00:03", "2024-06-01 08:00:04"])
      })
    )
  )
})

describe("Control API: faults", () => {
  it.effect("PUT returns the settings, GET reads them back, DELETE clears them", () =>
    withEmulator()(
      Effect.gen(function* () {
        const settings = { throttle: { every: 3, retryAfterSeconds: 2 }, latencyMs: 10, seed: 7 }
        const put = yield* control("PUT", "/_emulator/faults", settings)
        expect(put).toMatchObject({ status: 200, json: settings })
        expect((yield* control("GET", "/_emulator/faults")).json).toEqual(settings)
        expect((yield* control("DELETE", "/_emulator/faults")).status).toBe(204)
        expect((yield* control("GET", "/_emulator/faults")).json).toEqual({})
      })
    )
  )

  it.effect.each([
    ["every 0", { throttle: { every: 0 } }],
    ["a rate above 1", { drop: { rate: 1.5 } }],
    ["no trigger", { truncate: {} }],
    ["an HTML status that is not 5xx", { html: { every: 1, status: 404 } }],
    ["an error without a type", { error: { every: 1 } }],
    ["negative latency", { latencyMs: -1 }]
  ] as const)("bad fault settings (%s) → 400, and the old settings stay", ([, body]) =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ latencyMs: 1 })
        const answer = yield* control("PUT", "/_emulator/faults", body)
        expect(answer.status).toBe(400)
        expect(answer.json).toEqual({ error: expect.any(String) })
        expect((yield* control("GET", "/_emulator/faults")).json).toEqual({ latencyMs: 1 })
      })
    )
  )
})

describe("Control API: clock and reset", () => {
  it.effect("PUT /_emulator/clock sets the offset; GET reads the emulator's time", () =>
    withEmulator()(
      Effect.gen(function* () {
        const put = yield* control("PUT", "/_emulator/clock", { OffsetMs: 3_600_000 })
        expect(put).toMatchObject({
          status: 200,
          json: { Now: new Date(startTime + 3_600_000).toISOString(), OffsetMs: 3_600_000 }
        })
        yield* TestClock.adjust("1 second")
        expect((yield* control("GET", "/_emulator/clock")).json).toEqual({
          Now: new Date(startTime + 3_601_000).toISOString(),
          OffsetMs: 3_600_000
        })
        expect((yield* control("PUT", "/_emulator/clock", { OffsetMs: "soon" })).status).toBe(400)
      })
    )
  )

  it.effect("the clock offset moves operations on: an hour ahead, a 10-minute operation is done", () =>
    withEmulator()(
      Effect.gen(function* () {
        const created = yield* control("POST", "/_emulator/operations", { ...onSeedEndpoint, DurationMs: 600_000 })
        yield* control("PUT", "/_emulator/clock", { OffsetMs: 3_600_000 })
        const { Id } = created.json as { Id: string }
        // The client corrects its own clock on the way (one AuthorizationHeaderExpired), then reads it done.
        expect((yield* successOf(statusOf(Id))).status).toBe("Succeeded")
      })
    )
  )

  it.effect("POST /_emulator/reset restores the seed state: operations, endpoints, faults, log and clock", () =>
    withEmulator({ emulator: { clockOffset: "5 minutes" } })(
      Effect.gen(function* () {
        yield* control("POST", "/_emulator/operations", { ...onSeedEndpoint, Id: otherOperation })
        yield* control("POST", "/_emulator/endpoints", { ...onSeedEndpoint, State: "Stopped" })
        yield* control("PUT", "/_emulator/clock", { OffsetMs: 42 })
        yield* setFaults({ drop: { every: 1 } })
        const client = yield* CdnClient.CdnClient
        yield* failureOf(client.getOperation(seedRefUpper))

        expect((yield* control("POST", "/_emulator/reset")).status).toBe(204)
        expect((yield* control("GET", "/_emulator/requests")).json).toEqual([])
        expect((yield* control("GET", "/_emulator/faults")).json).toEqual({})
        expect((yield* control("GET", "/_emulator/clock")).json).toMatchObject({ OffsetMs: 300_000 })
        // The seed endpoint is active again and the created operation is gone.
        expect((yield* successOf(client.getOperation(seedRefUpper))).status).toBe("Succeeded")
        const gone = yield* failureOf(statusOf(otherOperation))
        expect(gone).toMatchObject({ _tag: "ParameterInvalid", status: 404 })
      })
    )
  )

  it.effect.each([
    ["GET", "/_emulator/nothing"],
    ["GET", "/_emulator/operations"],
    ["DELETE", "/_emulator/clock"],
    ["POST", "/_emulator/"]
  ] as const)("an unknown control route (%s %s) → 404 with {error}, and nothing is logged", ([method, path]) =>
    withEmulator()(
      Effect.gen(function* () {
        const answer = yield* control(method, path)
        expect(answer.status).toBe(404)
        expect(answer.json).toEqual({ error: expect.any(String) })
        expect(yield* requestLog).toEqual([])
      })
    )
  )
})
