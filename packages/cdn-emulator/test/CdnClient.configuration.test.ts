import { describe, expect, it } from "@effect/vitest"
import { CdnClient, Waiter } from "@org/cdn-core"
import { Effect } from "effect"
import { makeCa } from "../../cdn-core/test/certificates.js"
import { control, failureOf, requestLog, seed, startTime, successOf, withEmulator } from "./support.js"

const ids = { subscriptionId: seed.subscriptionId, endpointId: seed.endpointId }
const ca = makeCa()
// The seed endpoint serves file.example.cn.
const site = ca.validAt("file.example.cn", new Date(startTime))
const wildcard = ca.validAt("*.example.cn", new Date(startTime))
const elsewhere = ca.validAt("other.example.org", new Date(startTime))

describe("CdnClient against the emulator: cache rules and access control", () => {
  it.effect("cache rules: the documented defaults, then the whole policy set, read back after the operation", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        expect(yield* client.getCacheRules(ids)).toMatchObject({ rules: [], ignoreQueryString: false })
        const accepted = yield* client.setCacheRules({
          ...ids,
          rules: [
            { type: "Dir", items: ["/img/"], ttl: 86400 },
            { type: "Suffix", items: ["css", "js"], ttl: 3600 }
          ],
          ignoreQueryString: true
        })
        const done = yield* successOf(Waiter.waitForOperation({ ...ids, operationId: accepted.taskTrackId as string }))
        expect(done).toMatchObject({ status: "Succeeded", type: "CacheRules" })
        const policy = yield* client.getCacheRules(ids)
        expect(policy.rules.map((rule) => [rule.type, rule.items, rule.ttl])).toEqual([
          ["Dir", ["/img/"], 86400],
          ["Suffix", ["css", "js"], 3600]
        ])
        expect(policy.ignoreQueryString).toBe(true)
        const [put] = (yield* requestLog).filter((entry) => entry.method === "PUT")
        expect(put).toMatchObject({ path: expect.stringMatching(/\/cacherules$/), status: 202, signatureValid: true })
      })
    )
  )

  it.effect("a bad rule is refused before sending, naming the item", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(
          client.setCacheRules({ ...ids, rules: [{ type: "Suffix", items: [".jpg"], ttl: 1 }] })
        )
        expect(error).toMatchObject({ _tag: "InvalidInput", field: "rules" })
        expect(error.message).toContain("rules[0].items[0]")
        expect(yield* requestLog).toEqual([])
      })
    )
  )

  it.effect("access control: forbidden IPs and an allow list, read back", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        yield* client.setAccessControl({
          ...ids,
          forbiddenIps: ["10.0.0.1", "2001:db8::1"],
          refererControl: {
            enabled: true,
            type: "AllowList",
            referers: ["http://www.example.cn"],
            pathPatterns: ["/img/"]
          }
        })
        const access = yield* client.getAccessControl(ids)
        expect(access.forbiddenIps).toEqual(["10.0.0.1", "2001:db8::1"])
        expect(access.refererControl).toMatchObject({
          enabled: true,
          refererControlType: "AllowList",
          referers: ["http://www.example.cn"]
        })
        const error = yield* failureOf(client.setAccessControl({ ...ids, forbiddenIps: ["300.1.1.1"] }))
        expect(error).toMatchObject({ _tag: "InvalidInput", field: "forbiddenIps" })
      })
    )
  )

  it.effect("subscription volume: one series per domain, totals that add up", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* control("POST", "/_emulator/endpoints", {
          SubscriptionId: seed.subscriptionId,
          EndpointId: "66666666-7777-4888-9999-aaaaaaaaaaaa",
          CustomDomain: "img.example.cn"
        })
        const client = yield* CdnClient.CdnClient
        const volume = yield* client.getSubscriptionVolume({
          subscriptionId: seed.subscriptionId,
          granularity: "PerDay",
          startTime: "2024-01-01T16:00:00Z",
          endTime: "2024-01-03T16:00:00Z"
        })
        expect(Object.keys(volume.details).sort()).toEqual(["file.example.cn", "img.example.cn"])
        const sum = Object.values(volume.details).reduce((total, v) => total + v.totalCdnVolumeInMB, 0)
        expect(volume.totalCdnVolumeInMB).toBeCloseTo(sum, 1)
      })
    )
  )
})

describe("CdnClient against the emulator: HTTPS", () => {
  it.effect(
    "upload (thumbprint, subjects and validity read from the PEM), bind, the binding an operation that Succeeds",
    () =>
      withEmulator()(
        Effect.gen(function* () {
          const client = yield* CdnClient.CdnClient
          const uploaded = yield* client.uploadCertificate({
            subscriptionId: seed.subscriptionId,
            certificate: site.certificate,
            privateKey: site.key
          })
          expect(uploaded.subjects).toEqual(["file.example.cn"])
          expect(uploaded.thumbprint).toMatch(/^[0-9A-F]{64}$/)
          expect(uploaded.certificateName).toMatch(/^file\.example\.cn-/)
          const bound = yield* client.bindCertificate({
            ...ids,
            certificateId: uploaded.certificateId,
            originProtocol: "FollowRequest"
          })
          const done = yield* successOf(Waiter.waitForOperation({ ...ids, operationId: bound.taskTrackId as string }))
          expect(done).toMatchObject({ status: "Succeeded", type: "Bind" })
          // The key went to the emulator once, in the body: never into its log.
          const log = yield* requestLog
          expect(JSON.stringify(log)).not.toContain(site.key.slice(40, 80))
        })
      )
  )

  it.effect(
    "a wildcard covers the endpoint's domain; a certificate for another domain is refused (ParameterInvalid)",
    () =>
      withEmulator()(
        Effect.gen(function* () {
          const client = yield* CdnClient.CdnClient
          for (const [pair, ok] of [
            [wildcard, true],
            [elsewhere, false]
          ] as const) {
            const uploaded = yield* client.uploadCertificate({
              subscriptionId: seed.subscriptionId,
              certificate: pair.certificate,
              privateKey: pair.key
            })
            const bind = client.bindCertificate({ ...ids, certificateId: uploaded.certificateId })
            if (ok) expect((yield* successOf(bind)).succeeded).toBe(true)
            else expect(yield* failureOf(bind)).toMatchObject({ _tag: "ParameterInvalid", status: 400 })
          }
        })
      )
  )

  it.effect("the control API can make a binding fail: the operation ends Failed", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* control("PUT", "/_emulator/failures", { Bindings: true })
        const client = yield* CdnClient.CdnClient
        const uploaded = yield* client.uploadCertificate({
          subscriptionId: seed.subscriptionId,
          certificate: site.certificate,
          privateKey: site.key
        })
        const bound = yield* client.bindCertificate({ ...ids, certificateId: uploaded.certificateId })
        const done = yield* successOf(Waiter.waitForOperation({ ...ids, operationId: bound.taskTrackId as string }))
        expect(done.status).toBe("Failed")
      })
    )
  )
})
