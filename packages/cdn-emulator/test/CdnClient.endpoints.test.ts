import { describe, expect, it } from "@effect/vitest"
import { CdnClient, Waiter } from "@org/cdn-core"
import { Effect, TestClock } from "effect"
import {
  control,
  failureOf,
  otherEndpoint,
  otherSubscription,
  requestLog,
  seed,
  seedRefUpper,
  successOf,
  withEmulator
} from "./support.js"

const newEndpoint = {
  subscriptionId: seed.subscriptionId,
  customDomain: "img.example.cn",
  icp: "京ICP备16013159号",
  originAddresses: ["origin.example.cn", "10.0.0.8"],
  serviceType: "Web" as const
}

describe("CdnClient against the emulator: endpoints", () => {
  it.effect("listEndpoints: the seed endpoint in the live shape, read as one typed Endpoint", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const list = yield* client.listEndpoints({ subscriptionId: seed.subscriptionId.toUpperCase() })
        expect(list).toHaveLength(1)
        const [endpoint] = list
        expect(endpoint?.endpointId).toBe(seed.endpointId)
        expect(endpoint?.settings.customDomain).toBe("file.example.cn")
        expect(endpoint?.settings.origin.addresses).toEqual(["origin.example.cn"])
        expect(endpoint?.status).toMatchObject({
          enabled: true,
          lifetimeStatus: "Normal",
          icpVerifyStatus: "IcpVerified"
        })
        const [entry] = yield* requestLog
        expect(entry).toMatchObject({
          method: "GET",
          path: `/subscriptions/${seed.subscriptionId}/endpoints`,
          signatureValid: true,
          status: 200
        })
      })
    )
  )

  it.effect("listEndpoints of an unknown subscription: SubscriptionNotFound; of a new empty one: []", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.listEndpoints({ subscriptionId: otherSubscription }))
        expect(error._tag).toBe("SubscriptionNotFound")
        yield* control("POST", "/_emulator/subscriptions", { SubscriptionId: otherSubscription })
        expect(yield* client.listEndpoints({ subscriptionId: otherSubscription })).toEqual([])
      })
    )
  )

  it.effect("createEndpoint: Creating and IcpVerifying at first, Normal and enabled once the review is done", () =>
    withEmulator({ emulator: { endpointCreateDuration: "1 minute" } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const created = yield* client.createEndpoint(newEndpoint)
        expect(created.status).toMatchObject({
          enabled: false,
          lifetimeStatus: "Creating",
          icpVerifyStatus: "IcpVerifying"
        })
        expect(created.settings).toMatchObject({ customDomain: "img.example.cn", host: "img.example.cn" })
        expect(created.settings.cname).toBe("img.example.cn.mschcdn.com")
        const [entry] = yield* requestLog
        expect(entry).toMatchObject({ method: "POST", status: 202, signatureValid: true })

        yield* TestClock.adjust("61 seconds")
        const ref = { subscriptionId: seed.subscriptionId, endpointId: created.endpointId }
        const ready = yield* client.getEndpoint(ref)
        expect(ready.status).toMatchObject({ enabled: true, lifetimeStatus: "Normal", icpVerifyStatus: "IcpVerified" })
        expect(yield* client.listEndpoints(ref)).toHaveLength(2)
      })
    )
  )

  it.effect("createEndpoint refuses bad input before sending: a domain, no origin, a service type", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const cases = [
          [{ ...newEndpoint, customDomain: "not a domain" }, "customDomain"],
          [{ ...newEndpoint, originAddresses: [] }, "originAddresses"],
          [{ ...newEndpoint, serviceType: "Video" as "Web" }, "serviceType"],
          [{ ...newEndpoint, subscriptionId: "nope" }, "subscriptionId"]
        ] as const
        for (const [input, field] of cases) {
          const error = yield* failureOf(client.createEndpoint(input))
          expect(error).toMatchObject({ _tag: "InvalidInput", field })
        }
        expect(yield* requestLog).toEqual([])
      })
    )
  )

  it.effect("createEndpoint of a domain that already has an endpoint: ParameterInvalid from the service", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.createEndpoint({ ...newEndpoint, customDomain: "file.example.cn" }))
        expect(error).toMatchObject({ _tag: "ParameterInvalid", status: 400 })
        expect(error.message).toContain("file.example.cn")
      })
    )
  )

  it.effect("updateEndpoint: 202 with the operation to follow; Updating, then the new origin and host", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const accepted = yield* client.updateEndpoint({
          ...seedRefUpper,
          originAddresses: ["new-origin.example.cn"],
          host: "origin-host.example.cn"
        })
        expect(accepted.succeeded).toBe(true)
        const operationId = accepted.taskTrackId as string
        const [entry] = yield* requestLog
        expect(entry).toMatchObject({ method: "PUT", status: 202, signatureValid: true })
        expect((yield* client.getEndpoint(seed)).status.lifetimeStatus).toBe("Updating")

        const done = yield* successOf(Waiter.waitForOperation({ ...seed, operationId }))
        expect(done).toMatchObject({ status: "Succeeded", type: "Update" })
        const updated = yield* client.getEndpoint(seed)
        expect(updated.settings.origin.addresses).toEqual(["new-origin.example.cn"])
        expect(updated.settings.host).toBe("origin-host.example.cn")
        expect(updated.status.lifetimeStatus).toBe("Normal")
      })
    )
  )

  it.effect("updateEndpoint with nothing to change is refused before sending", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.updateEndpoint(seed))
        expect(error).toMatchObject({ _tag: "InvalidInput", field: "originAddresses" })
        expect(yield* requestLog).toEqual([])
      })
    )
  )

  it.effect("disable, then enable: each an operation; a disabled endpoint refuses a purge", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const disabled = yield* client.disableEndpoint(seed)
        expect((yield* client.getEndpoint(seed)).status.lifetimeStatus).toBe("Disabling")
        // A second change while the first runs is refused.
        expect((yield* failureOf(client.enableEndpoint(seed)))._tag).toBe("EndpointNotInActiveState")
        const operationId = disabled.taskTrackId as string
        expect(yield* successOf(Waiter.waitForOperation({ ...seed, operationId }))).toMatchObject({
          status: "Succeeded",
          type: "Disable"
        })
        expect((yield* client.getEndpoint(seed)).status).toMatchObject({ enabled: false, lifetimeStatus: "Normal" })
        const purge = client.purge({ ...seed, files: ["http://file.example.cn/a.png"] })
        expect((yield* failureOf(purge))._tag).toBe("EndpointNotInActiveState")

        const enabled = yield* client.enableEndpoint(seed)
        yield* successOf(Waiter.waitForOperation({ ...seed, operationId: enabled.taskTrackId as string }))
        expect((yield* client.getEndpoint(seed)).status).toMatchObject({ enabled: true, lifetimeStatus: "Normal" })
        expect((yield* successOf(purge)).succeeded).toBe(true)
        const methods = (yield* requestLog).map((entry) => `${entry.method} ${entry.path.split("/").pop()}`)
        expect(methods).toContain("POST disable")
        expect(methods).toContain("POST enable")
      })
    )
  )

  it.effect("deleteEndpoint: Deleting, then Deleted; no longer listed, its operation still readable", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const deleted = yield* client.deleteEndpoint(seed)
        const [entry] = yield* requestLog
        expect(entry).toMatchObject({ method: "DELETE", status: 202 })
        const operationId = deleted.taskTrackId as string
        yield* successOf(Waiter.waitForOperation({ ...seed, operationId }))
        expect((yield* client.getEndpoint(seed)).status.lifetimeStatus).toBe("Deleted")
        expect(yield* client.listEndpoints(seed)).toEqual([])
        expect((yield* failureOf(client.deleteEndpoint(seed)))._tag).toBe("EndpointNotInActiveState")
      })
    )
  )

  it.effect("an endpoint of another subscription, an unknown one: the service's types", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const unknown = yield* failureOf(client.getEndpoint({ ...seed, endpointId: otherEndpoint }))
        expect(unknown._tag).toBe("EndpointNotFound")
        yield* control("POST", "/_emulator/endpoints", { SubscriptionId: otherSubscription, EndpointId: otherEndpoint })
        const elsewhere = yield* failureOf(client.enableEndpoint({ ...seed, endpointId: otherEndpoint }))
        expect(elsewhere._tag).toBe("EndpointDoesNotBelongToSubscription")
      })
    )
  )

  it.effect("a read-only key may read but not change: PermissionDenied, not retried", () =>
    withEmulator({ emulator: { keys: [{ id: "emulator-key", value: "emulator-secret", readOnly: true }] } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        expect(yield* client.getEndpoint(seed)).toBeDefined()
        const error = yield* failureOf(client.disableEndpoint(seed))
        expect(error).toMatchObject({ _tag: "PermissionDenied", status: 403 })
        expect((yield* requestLog).map((entry) => entry.status)).toEqual([200, 403])
      })
    )
  )
})
