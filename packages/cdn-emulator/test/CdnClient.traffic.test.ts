import { describe, expect, it } from "@effect/vitest"
import { CdnClient } from "@org/cdn-core"
import { Effect } from "effect"
import { failureOf, requestLog, seed, withEmulator } from "./support.js"

const ids = { subscriptionId: seed.subscriptionId, endpointId: seed.endpointId }
const range = { startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" }

describe("CdnClient against the emulator: traffic", () => {
  it.effect("endpoint volume per hour: 24 buckets, totals that add up, every query parameter signed", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const volume = yield* client.getEndpointVolume({ ...ids, ...range, granularity: "PerHour" })
        expect(volume.domainName).toBe("file.example.cn")
        expect(volume.items).toHaveLength(24)
        expect(volume.items[0]?.timestamp).toBe("2024-01-01T00:00:00Z")
        const sum = volume.items.reduce((total, item) => total + item.volumeInMB, 0)
        expect(volume.totalCdnVolumeInMB).toBeCloseTo(sum, 1)
        expect(volume.totalOriginVolumeInMB).toBeLessThan(volume.totalCdnVolumeInMB)
        const [entry] = yield* requestLog
        expect(entry).toMatchObject({
          path: `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/volume`,
          query: { apiVersion: "1.0", granularity: "PerHour", ...range },
          signatureValid: true
        })
      })
    )
  )

  it.effect("the same range twice gives the same series; day buckets start at 16:00Z (midnight in China)", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const week = { startTime: "2024-01-01T16:00:00Z", endTime: "2024-01-08T16:00:00Z" }
        const first = yield* client.getEndpointVolume({ ...ids, ...week, granularity: "PerDay" })
        const second = yield* client.getEndpointVolume({ ...ids, ...week, granularity: "PerDay" })
        expect(first).toEqual(second)
        expect(first.items.map((item) => item.timestamp.slice(11))).toEqual(Array(7).fill("16:00:00Z"))
      })
    )
  )

  it.effect("times as Dates or with a zone offset go on the wire as UTC yyyy-MM-ddTHH:mm:ssZ", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        yield* client.getEndpointBandwidth({
          ...ids,
          startTime: new Date("2024-01-01T00:00:00.750Z"),
          endTime: "2024-01-01T09:00:00+08:00"
        })
        const [entry] = yield* requestLog
        expect(entry?.query).toEqual({
          apiVersion: "1.0",
          startTime: "2024-01-01T00:00:00Z",
          endTime: "2024-01-01T01:00:00Z"
        })
      })
    )
  )

  it.effect("bandwidth per five minutes, with peak and valley", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const bandwidth = yield* client.getEndpointBandwidth({ ...ids, ...range })
        expect(bandwidth.items).toHaveLength(288)
        const values = bandwidth.items.map((item) => item.bandwidthInMbps)
        expect(bandwidth.peakBandwidthInMbps).toBe(Math.max(...values))
        expect(bandwidth.valleyBandwidthInMbps).toBe(Math.min(...values))
        expect(bandwidth.valleyBandwidthInMbps).toBeGreaterThan(0)
      })
    )
  )

  it.effect("a bad range is refused before sending: reversed, too long, without a zone, a bad granularity", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const cases = [
          [{ ...range, startTime: range.endTime, endTime: range.startTime }, "endTime", "after startTime"],
          [{ ...range, endTime: "2024-03-02T00:00:00Z" }, "endTime", "at most 60 days"],
          [{ ...range, startTime: "2024-01-01T00:00:00" }, "startTime", "with its zone"],
          [{ ...range, startTime: "yesterday" }, "startTime", "UTC time"]
        ] as const
        for (const [times, field, says] of cases) {
          const error = yield* failureOf(client.getEndpointVolume({ ...ids, ...times, granularity: "PerHour" }))
          expect(error).toMatchObject({ _tag: "InvalidInput", field })
          expect(error.message).toContain(says)
        }
        const granularity = yield* failureOf(
          client.getEndpointVolume({ ...ids, ...range, granularity: "PerMinute" as "PerHour" })
        )
        expect(granularity).toMatchObject({ _tag: "InvalidInput", field: "granularity" })
        expect(yield* requestLog).toEqual([])
      })
    )
  )
})
