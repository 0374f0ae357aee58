import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Traffic, TrafficReport } from "../src/index.js"
import { failure, fake, ok, run, value } from "./fakeHttp.js"

const subscriptionId = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const one = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const two = "11111111-1111-4111-8111-111111111111"

const volume = (domain: string, items: ReadonlyArray<[string, number, number]>) =>
  Schema.decodeUnknownSync(Traffic.EndpointVolume)({
    DomainName: domain,
    Items: items.map(([Timestamp, VolumeInMB, OriginVolumeInMB]) => ({ Timestamp, VolumeInMB, OriginVolumeInMB })),
    TotalCdnVolumeInMB: items.reduce((sum, [, mb]) => sum + mb, 0),
    TotalOriginVolumeInMB: items.reduce((sum, [, , mb]) => sum + mb, 0)
  })

const bandwidth = (domain: string, items: ReadonlyArray<[string, number]>) =>
  Schema.decodeUnknownSync(Traffic.EndpointBandwidth)({
    DomainName: domain,
    Items: items.map(([Timestamp, BandwidthInMbps]) => ({ Timestamp, BandwidthInMbps, OriginBandwidthInMbps: 1 })),
    PeakBandwidthInMbps: Math.max(...items.map(([, mbps]) => mbps)),
    ValleyBandwidthInMbps: Math.min(...items.map(([, mbps]) => mbps)),
    PeakOriginBandwidthInMbps: 1,
    ValleyOriginBandwidthInMbps: 1
  })

describe("summarize", () => {
  // Two endpoints across midnight in Shanghai (16:00Z): the days split there, not at midnight UTC.
  const traffic: ReadonlyArray<TrafficReport.EndpointTraffic> = [
    {
      endpointId: one,
      domain: "a.example.cn",
      volume: volume("a.example.cn", [
        ["2024-01-01T15:00:00Z", 0.1, 0.01],
        ["2024-01-01T16:00:00Z", 0.2, 0.02]
      ]),
      bandwidth: bandwidth("a.example.cn", [
        ["2024-01-01T15:55:00Z", 10],
        ["2024-01-01T16:00:00Z", 30]
      ])
    },
    {
      endpointId: two,
      domain: "b.example.cn",
      volume: volume("b.example.cn", [
        ["2024-01-01T15:00:00Z", 1, 0],
        ["2024-01-01 16:00:00", 2, 0]
      ]),
      bandwidth: bandwidth("b.example.cn", [
        ["2024-01-01T15:55:00Z", 25],
        ["2024-01-01T16:00:00Z", 1],
        ["not a time", 999]
      ])
    }
  ]

  it("totals as the service counted them; the peak of the endpoints added up, with its time; a row per local day", () => {
    const summary = TrafficReport.summarize(traffic, "Asia/Shanghai")
    expect(summary.volumeMB).toBe(3.3)
    // 10 + 25 at 15:55Z beats 30 + 1 at 16:00Z, though neither endpoint's own peak is then.
    expect(summary.peak).toEqual({ mbps: 35, at: Date.parse("2024-01-01T15:55:00Z") })
    expect(summary.endpoints.map((endpoint) => endpoint.peak?.mbps)).toEqual([30, 25])
    expect(summary.days.map((day) => [day.day, day.volumeMB, day.totalMB, day.peak?.mbps])).toEqual([
      ["2024-01-01", [0.1, 1], 1.1, 35],
      ["2024-01-02", [0.2, 2], 2.2, 31]
    ])
    // A bucket whose time cannot be read is counted, not guessed: it is in no series, day or peak.
    expect(summary.unreadable).toBe(1)
  })

  it("the same traffic in UTC is one day", () => {
    const summary = TrafficReport.summarize(traffic, "UTC")
    expect(summary.days.map((day) => day.day)).toEqual(["2024-01-01"])
    expect(summary.days[0]?.totalMB).toBe(3.3)
  })
})

describe("times in a zone", () => {
  it("a day and a minute as YYYY-MM-DD and YYYY-MM-DD HH:MM, midnight as 00 (never 24)", () => {
    const at = Date.parse("2024-03-09T16:00:00Z")
    expect(TrafficReport.inZone("Asia/Shanghai").minute(at)).toBe("2024-03-10 00:00")
    expect(TrafficReport.inZone("America/New_York").day(at)).toBe("2024-03-09")
    expect(TrafficReport.inZone("UTC").minute(at)).toBe("2024-03-09 16:00")
  })

  it("knows a zone from a name that is none", () => {
    expect(TrafficReport.isTimeZone("Asia/Shanghai")).toBe(true)
    expect(TrafficReport.isTimeZone("Mars/Olympus")).toBe(false)
    expect(TrafficReport.isTimeZone("")).toBe(false)
  })

  it("reads bucket times with a zone, and without one as UTC; nothing else", () => {
    expect(TrafficReport.bucketTime("2024-01-01T08:00:00+08:00")).toBe(Date.parse("2024-01-01T00:00:00Z"))
    expect(TrafficReport.bucketTime("2024-01-01 08:00")).toBe(Date.parse("2024-01-01T08:00:00Z"))
    expect(TrafficReport.bucketTime("1704067200")).toBeUndefined()
    expect(TrafficReport.bucketTime("")).toBeUndefined()
  })
})

describe("gather", () => {
  const range = { subscriptionId, startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" }

  it.effect(
    "every endpoint of the subscription when none is named: the list, then each one's volume and bandwidth",
    () =>
      Effect.gen(function* () {
        const endpoint = {
          EndpointId: one,
          Settings: { CustomDomain: "a.example.cn", Origin: { Addresses: ["o.example.cn"] } },
          Status: { Enabled: true, LifetimeStatus: "Normal" }
        }
        const { sent, layer } = fake([
          ok([endpoint]),
          ok(Schema.encodeSync(Traffic.EndpointVolume)(volume("a.example.cn", [["2024-01-01T00:00:00Z", 5, 1]]))),
          ok(Schema.encodeSync(Traffic.EndpointBandwidth)(bandwidth("a.example.cn", [["2024-01-01T00:00:00Z", 7]])))
        ])
        const traffic = value(yield* run(TrafficReport.gather({ ...range, granularity: "PerHour" }), layer))
        expect(sent.map((request) => request.path)).toEqual([
          `/subscriptions/${subscriptionId}/endpoints`,
          `/subscriptions/${subscriptionId}/endpoints/${one}/volume`,
          `/subscriptions/${subscriptionId}/endpoints/${one}/bandwidth`
        ])
        expect(traffic.map((endpoint) => [endpoint.domain, endpoint.volume.totalCdnVolumeInMB])).toEqual([
          ["a.example.cn", 5]
        ])
      })
  )

  it.effect("a range that ends before it starts, or an endpoint that is not a GUID: InvalidInput, nothing sent", () =>
    Effect.gen(function* () {
      const backwards = fake([ok([])])
      const error = failure(
        yield* run(
          TrafficReport.gather({ ...range, endTime: "2023-12-31T00:00:00Z", granularity: "PerHour" }),
          backwards.layer
        )
      )
      expect(error._tag).toBe("InvalidInput")
      expect(error.message).toMatch(/endTime.*after startTime/)
      expect(backwards.sent).toEqual([])

      const named = fake([ok([])])
      const bad = failure(
        yield* run(TrafficReport.gather({ ...range, endpointIds: [two, "nope"], granularity: "PerHour" }), named.layer)
      )
      expect(bad._tag).toBe("InvalidInput")
      expect(named.sent).toEqual([])
    })
  )
})
