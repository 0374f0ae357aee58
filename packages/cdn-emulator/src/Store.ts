/**
 * The emulated account: subscriptions, their endpoints, and operations that move on the emulator's clock.
 */
import type { Operation } from "@org/cdn-core/Operation"

/** The service's JSON for an operation. */
export type OperationJson = typeof Operation.Encoded

export type EndpointState = "Active" | "Stopped"

/** An operation as stored: its timeline, from which its status at any time follows. */
export interface StoredOperation {
  readonly id: string
  readonly type: string
  readonly subscriptionId: string
  readonly endpointId: string
  /** When it was accepted; `NotSet` until `startsAt`. */
  readonly createdAt: number
  readonly startsAt: number
  /** When it finishes with `finalStatus`. */
  readonly endsAt: number
  readonly finalStatus: "Succeeded" | "Failed"
  readonly message: string | null
  /** History, not a timeline: reported finished whatever the clock says (a TestClock starts in 1970). */
  readonly recorded?: boolean
}

/** The seed document's example, present in every fresh emulator. */
export const seed = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
} as const

const seedOperation: StoredOperation = {
  id: seed.operationId,
  type: "Purge",
  subscriptionId: seed.subscriptionId,
  endpointId: seed.endpointId,
  createdAt: Date.parse("2017-05-02T06:34:07.869Z"),
  startsAt: Date.parse("2017-05-02T06:34:07.869Z"),
  endsAt: Date.parse("2017-05-02T06:44:07.869Z"),
  finalStatus: "Succeeded",
  message: null,
  recorded: true
}

/** What a lookup of an operation found. */
export type Lookup =
  | { readonly found: "operation"; readonly operation: StoredOperation }
  | { readonly found: "none"; readonly missing: "SubscriptionNotFound" | "EndpointNotFound" | "Operation" }
  | { readonly found: "elsewhere" }
  | { readonly found: "inactive" }

/** The account's state; IDs are kept in lower case. */
export class Store {
  private readonly subscriptions = new Set<string>()
  // endpoint -> its subscription and state
  private readonly endpoints = new Map<string, { subscriptionId: string; state: EndpointState }>()
  private readonly operations = new Map<string, StoredOperation>()

  constructor() {
    this.reset()
  }

  /** Back to the seed document's example alone. */
  reset(): void {
    this.subscriptions.clear()
    this.endpoints.clear()
    this.operations.clear()
    this.putEndpoint(seed.subscriptionId, seed.endpointId, "Active")
    this.operations.set(seedOperation.id, seedOperation)
  }

  hasSubscription(subscriptionId: string): boolean {
    return this.subscriptions.has(subscriptionId)
  }

  /** Creates or updates an endpoint; false when it already belongs to another subscription. */
  putEndpoint(subscriptionId: string, endpointId: string, state: EndpointState): boolean {
    const existing = this.endpoints.get(endpointId)
    if (existing !== undefined && existing.subscriptionId !== subscriptionId) return false
    this.subscriptions.add(subscriptionId)
    this.endpoints.set(endpointId, { subscriptionId, state })
    return true
  }

  /** Creates an active endpoint unless it exists; false when it belongs to another subscription. */
  putEndpointIfAbsent(subscriptionId: string, endpointId: string): boolean {
    const existing = this.endpoints.get(endpointId)
    if (existing === undefined) return this.putEndpoint(subscriptionId, endpointId, "Active")
    return existing.subscriptionId === subscriptionId
  }

  addOperation(operation: StoredOperation): void {
    this.operations.set(operation.id, operation)
  }

  /** Resolves the get-operation path in the order the service reports problems. */
  find(subscriptionId: string, endpointId: string, operationId: string): Lookup {
    if (!this.subscriptions.has(subscriptionId)) return { found: "none", missing: "SubscriptionNotFound" }
    const endpoint = this.endpoints.get(endpointId)
    if (endpoint === undefined) return { found: "none", missing: "EndpointNotFound" }
    if (endpoint.subscriptionId !== subscriptionId) return { found: "elsewhere" }
    if (endpoint.state !== "Active") return { found: "inactive" }
    const operation = this.operations.get(operationId)
    if (operation === undefined || operation.endpointId !== endpointId) return { found: "none", missing: "Operation" }
    return { found: "operation", operation }
  }
}

/** The operation as the service reports it at `now`. */
export const operationJson = (
  operation: StoredOperation,
  now: number,
  succeeded: "Succeeded" | "Succeed" = "Succeeded"
): OperationJson => {
  const reached = operation.recorded
    ? operation.finalStatus
    : now < operation.startsAt
      ? "NotSet"
      : now < operation.endsAt
        ? "Processing"
        : operation.finalStatus
  const status = reached === "Succeeded" ? succeeded : reached
  const finished = reached === "Succeeded" || reached === "Failed"
  return {
    Id: operation.id,
    Type: operation.type,
    Status: status,
    Message: finished ? operation.message : null,
    Start: new Date(operation.startsAt).toISOString(),
    End: finished ? new Date(operation.endsAt).toISOString() : null,
    EndpointId: operation.endpointId,
    SubscriptionId: operation.subscriptionId
  }
}
