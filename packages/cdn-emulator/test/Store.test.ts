import { describe, expect, it } from "@effect/vitest"
import { operationJson, Store, type StoredOperation, seed } from "../src/Store.js"
import { otherEndpoint, otherOperation, otherSubscription } from "./support.js"

const operation: StoredOperation = {
  id: otherOperation,
  type: "Preload",
  subscriptionId: seed.subscriptionId,
  endpointId: seed.endpointId,
  createdAt: 1000,
  startsAt: 2000,
  endsAt: 5000,
  finalStatus: "Failed",
  message: "origin unreachable"
}

describe("Store: the operation timeline", () => {
  it("NotSet before startsAt, Processing until endsAt, then its final status with End and Message", () => {
    expect(operationJson(operation, 1999)).toMatchObject({ Status: "NotSet", End: null, Message: null })
    expect(operationJson(operation, 2000)).toMatchObject({ Status: "Processing", End: null, Message: null })
    expect(operationJson(operation, 4999)).toMatchObject({ Status: "Processing", End: null })
    expect(operationJson(operation, 5000)).toMatchObject({
      Status: "Failed",
      End: new Date(5000).toISOString(),
      Message: "origin unreachable",
      Start: new Date(2000).toISOString()
    })
  })

  it("spells success as asked; Failed is never respelt", () => {
    const succeeded = { ...operation, finalStatus: "Succeeded" as const }
    expect(operationJson(succeeded, 5000).Status).toBe("Succeeded")
    expect(operationJson(succeeded, 5000, "Succeed").Status).toBe("Succeed")
    expect(operationJson(operation, 5000, "Succeed").Status).toBe("Failed")
  })
})

describe("Store: lookups, in the order the service reports problems", () => {
  it("finds the seed operation in a fresh store", () => {
    const found = new Store().find(seed.subscriptionId, seed.endpointId, seed.operationId)
    expect(found).toMatchObject({ found: "operation", operation: { id: seed.operationId, type: "Purge" } })
  })

  it("subscription, then endpoint, then ownership, then operation (a stopped endpoint's operations still read)", () => {
    const store = new Store()
    store.putEndpoint(otherSubscription, otherEndpoint, "Stopped")
    expect(store.find("00000000-0000-4000-8000-000000000000", otherEndpoint, seed.operationId)).toEqual({
      found: "none",
      missing: "SubscriptionNotFound"
    })
    expect(store.find(seed.subscriptionId, "00000000-0000-4000-8000-000000000000", seed.operationId)).toEqual({
      found: "none",
      missing: "EndpointNotFound"
    })
    expect(store.find(seed.subscriptionId, otherEndpoint, seed.operationId)).toEqual({ found: "elsewhere" })
    expect(store.find(otherSubscription, otherEndpoint, seed.operationId)).toEqual({
      found: "none",
      missing: "Operation"
    })
    expect(store.find(seed.subscriptionId, seed.endpointId, otherOperation)).toEqual({
      found: "none",
      missing: "Operation"
    })
  })

  it("an operation is found only under its own endpoint", () => {
    const store = new Store()
    store.putEndpoint(seed.subscriptionId, otherEndpoint, "Active")
    expect(store.find(seed.subscriptionId, otherEndpoint, seed.operationId)).toEqual({
      found: "none",
      missing: "Operation"
    })
  })

  it("an endpoint stays in its subscription; reset forgets everything but the seed", () => {
    const store = new Store()
    expect(store.putEndpoint(otherSubscription, seed.endpointId, "Active")).toBe(false)
    expect(store.putEndpointIfAbsent(otherSubscription, seed.endpointId)).toBe(false)
    expect(store.putEndpointIfAbsent(seed.subscriptionId, seed.endpointId)).toBe(true)
    expect(store.putEndpoint(otherSubscription, otherEndpoint, "Active")).toBe(true)
    store.addOperation({ ...operation, subscriptionId: otherSubscription, endpointId: otherEndpoint })
    store.putEndpoint(seed.subscriptionId, seed.endpointId, "Stopped")
    store.reset()
    expect(store.hasSubscription(otherSubscription)).toBe(false)
    expect(store.find(seed.subscriptionId, seed.endpointId, seed.operationId).found).toBe("operation")
  })
})
