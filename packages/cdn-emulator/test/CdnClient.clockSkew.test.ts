import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CdnClient, type Errors } from "@org/cdn-core"
import { Effect } from "effect"
import {
  control,
  failureOf,
  requestLog,
  seedRefUpper,
  startTime,
  successOf,
  withEmulator,
  withoutDateHeader
} from "./support.js"

const outcomes = Effect.map(requestLog, (log) => log.map((entry) => entry.outcome))

// A response whose Date is the client's own clock: no help at all.
const dateOfClient = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, (effect) =>
    Effect.flatMap(effect, (response) =>
      Effect.map(response.text, (body) =>
        HttpClientResponse.fromWeb(
          response.request,
          new Response(body, {
            status: response.status,
            headers: { ...response.headers, date: new Date(startTime).toUTCString() }
          })
        )
      )
    )
  )

describe("CdnClient against the emulator: clock skew", () => {
  it.effect("a service clock one hour ahead: refused once, corrected from its Date, then answered", () =>
    withEmulator({ emulator: { clockOffset: "1 hour" } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        expect((yield* successOf(client.getOperation(seedRefUpper))).status).toBe("Succeeded")
        const log = yield* requestLog
        expect(log.map((entry) => entry.outcome)).toEqual(["AuthorizationHeaderExpired", "ok"])
        // The second attempt was dated by the service's clock.
        expect(log.map((entry) => entry.date)).toEqual(["2024-06-01 08:00:00", "2024-06-01 09:00:00"])

        // The correction is kept: the next call needs one request.
        yield* successOf(client.getOperation(seedRefUpper))
        expect(yield* outcomes).toEqual(["AuthorizationHeaderExpired", "ok", "ok"])
      })
    )
  )

  it.effect("a service clock one hour behind is corrected the same way", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* control("PUT", "/_emulator/clock", { OffsetMs: -3_600_000 })
        const client = yield* CdnClient.CdnClient
        yield* successOf(client.getOperation(seedRefUpper))
        const log = yield* requestLog
        expect(log.map((entry) => entry.outcome)).toEqual(["AuthorizationHeaderExpired", "ok"])
        expect(log[1]?.date).toBe("2024-06-01 07:00:00")
      })
    )
  )

  it.effect("a skew inside the ±15 minute window needs no correction", () =>
    withEmulator({ emulator: { clockOffset: "14 minutes" } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        yield* successOf(client.getOperation(seedRefUpper))
        expect(yield* outcomes).toEqual(["ok"])
      })
    )
  )

  it.effect("a service clock that moves again is learnt again", () =>
    withEmulator({ emulator: { clockOffset: "1 hour" } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        yield* successOf(client.getOperation(seedRefUpper))
        yield* control("PUT", "/_emulator/clock", { OffsetMs: 2 * 3_600_000 })
        yield* successOf(client.getOperation(seedRefUpper))
        expect(yield* outcomes).toEqual(["AuthorizationHeaderExpired", "ok", "AuthorizationHeaderExpired", "ok"])
      })
    )
  )

  it.effect("without a Date response header, AuthorizationHeaderExpired surfaces after one request", () =>
    withEmulator({ emulator: { clockOffset: "1 hour" }, wrap: withoutDateHeader })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const error = (yield* failureOf(client.getOperation(seedRefUpper))) as Errors.AuthorizationHeaderExpired
        expect(error._tag).toBe("AuthorizationHeaderExpired")
        expect(error.serverDate).toBeUndefined()
        expect(error.message).toContain("clock")
        expect(yield* outcomes).toEqual(["AuthorizationHeaderExpired"])
      })
    )
  )

  it.effect("a Date header that agrees with the local clock teaches nothing: no second attempt", () =>
    withEmulator({ emulator: { clockOffset: "1 hour" }, wrap: dateOfClient })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("AuthorizationHeaderExpired")
        expect(yield* outcomes).toEqual(["AuthorizationHeaderExpired"])
      })
    )
  )
})
