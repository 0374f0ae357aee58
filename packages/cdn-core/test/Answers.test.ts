/**
 * Answers are read tolerantly (keys in any case, both published spellings) but never silently: a 2xx that says it
 * failed is its typed error, and a field the documents require is never made up.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CdnClient } from "../src/index.js"
import { failure, fake, ok, run, value } from "./fakeHttp.js"

const s = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const e = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const op = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
const ids = { subscriptionId: s, endpointId: e }
const range = { startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" }

const purge = Effect.flatMap(CdnClient.CdnClient, (c) => c.purge({ ...ids, files: ["http://a.example.cn/x"] }))

describe("a 2xx that says it failed is the typed error of its ErrorInfo.Type", () => {
  it.effect.each([
    ["Succeeded false", { Succeeded: false, ErrorInfo: { Type: "EndpointNotInActiveState", Message: "stopped" } }],
    ['Succeeded "false"', { Succeeded: "false", ErrorInfo: { Type: "EndpointNotInActiveState", Message: "stopped" } }],
    ["lower-case keys", { succeeded: false, errorInfo: { type: "EndpointNotInActiveState", message: "stopped" } }]
  ])("%s", ([_what, body]) =>
    Effect.gen(function* () {
      const { sent, layer } = fake([ok(body, 200)])
      const error = failure(yield* run(purge, layer))
      expect(error).toMatchObject({ _tag: "EndpointNotInActiveState", status: 200, serviceMessage: "stopped" })
      // A write refused is not retried.
      expect(sent).toHaveLength(1)
    })
  )

  it.effect("a 2xx with Succeeded false and no ErrorInfo is unreadable, naming what is missing", () =>
    Effect.gen(function* () {
      const { layer } = fake([ok({ Succeeded: false }, 202)])
      const error = failure(yield* run(purge, layer))
      expect(error).toMatchObject({ _tag: "UnreadableResponse", reason: "unexpected-shape" })
      expect(error.message).toContain("ErrorInfo: missing")
    })
  )
})

describe("an error body read tolerantly", () => {
  it.effect.each([
    ['Succeeded "false"', { Succeeded: "false", ErrorInfo: { Type: "EndpointNotFound", Message: "no" } }],
    ["lower-case keys", { succeeded: false, errorinfo: { type: "EndpointNotFound", message: "no" } }],
    ["camelCase keys", { succeeded: "False", errorInfo: { Type: "EndpointNotFound" } }]
  ])("%s is its typed error", ([_what, body]) =>
    Effect.gen(function* () {
      const { layer } = fake([ok(body, 404)])
      const error = failure(
        yield* run(
          Effect.flatMap(CdnClient.CdnClient, (c) => c.getEndpoint(ids)),
          layer
        )
      )
      expect(error).toMatchObject({ _tag: "EndpointNotFound", status: 404 })
    })
  )
})

describe("a field the documents require is required: missing, the answer is unreadable, naming it", () => {
  const volume = Effect.flatMap(CdnClient.CdnClient, (c) =>
    c.getEndpointVolume({ ...ids, ...range, granularity: "PerDay" })
  )
  const bandwidth = Effect.flatMap(CdnClient.CdnClient, (c) => c.getEndpointBandwidth({ ...ids, ...range }))
  const results = Effect.flatMap(CdnClient.CdnClient, (c) => c.getPurge({ ...ids, purgeId: op }))
  const accepted = Effect.flatMap(CdnClient.CdnClient, (c) => c.enableEndpoint(ids))

  it.effect.each([
    ["a traffic answer of {}", volume, {}, "DomainName: missing"],
    ["bandwidth without its peaks", bandwidth, { DomainName: "a", Items: [] }, "PeakBandwidthInMbps: missing"],
    [
      "a volume item without its origin volume",
      volume,
      { DomainName: "a", Items: [{ Timestamp: "t", VolumeInMB: 1 }], TotalCdnVolumeInMB: 1, TotalOriginVolumeInMB: 0 },
      "Items[0].OriginVolumeInMB: missing"
    ],
    ["purge results without Directories", results, { Files: [] }, "Directories: missing"],
    ["an accepted write without AsyncInfo", accepted, { Succeeded: true, IsAsync: true }, "AsyncInfo: missing"],
    [
      "an accepted write without TaskStatus",
      accepted,
      { Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: op } },
      "AsyncInfo.TaskStatus: missing"
    ]
  ] as const)("%s", ([_what, call, body, says]) =>
    Effect.gen(function* () {
      const { layer } = fake([ok(body)])
      const error = failure(yield* run(call as Effect.Effect<unknown, unknown, CdnClient.CdnClient>, layer))
      expect(error).toMatchObject({ _tag: "UnreadableResponse", reason: "unexpected-shape" })
      expect((error as { message: string }).message).toContain(says)
    })
  )

  it.effect("purge results in another key casing read as they are, not as empty lists", () =>
    Effect.gen(function* () {
      const { layer } = fake([ok({ files: [{ url: "http://a/x", status: "Succeed" }], DIRECTORIES: null })])
      const result = value(yield* run(results, layer))
      expect(result.files).toMatchObject([{ url: "http://a/x", status: "Succeed" }])
      expect(result.directories).toEqual([])
    })
  )

  it.effect('the documented endpoint shape (EndpointID, Setting, "true") reads as the live one', () =>
    Effect.gen(function* () {
      const { layer } = fake([
        ok({
          EndpointID: e.toUpperCase(),
          Setting: { CustomDomain: "a.example.cn", Origin: { Addresses: ["o.example.cn"] } },
          Status: { Enabled: "true", LifetimeStatus: "Normal" }
        })
      ])
      const endpoint = value(
        yield* run(
          Effect.flatMap(CdnClient.CdnClient, (c) => c.getEndpoint(ids)),
          layer
        )
      )
      expect(endpoint.endpointId).toBe(e)
      expect(endpoint.settings.customDomain).toBe("a.example.cn")
      expect(endpoint.status.enabled).toBe(true)
    })
  )
})
