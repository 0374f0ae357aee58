/**
 * The emulated account: subscriptions, their endpoints (settings and lifetime), and operations with per-item
 * results that move on the emulator's clock. Times are the emulator's milliseconds; IDs are kept in lower case.
 */
import type { Configuration, Endpoints } from "@org/cdn-core"
import type { Operation } from "@org/cdn-core/Operation"

/** The service's JSON for an operation. */
export type OperationJson = typeof Operation.Encoded

/** The service's JSON for an endpoint, in the live shape. */
export type EndpointJson = typeof Endpoints.EndpointShape.Encoded

/** Which published spelling the emulator answers endpoints in. */
export type EndpointShape = "live" | "documented"

/** `Active` serves (enabled); `Stopped` is disabled. */
export type EndpointState = "Active" | "Stopped"

/** What an endpoint serves. */
export interface EndpointSettings {
  readonly customDomain: string
  readonly host: string
  readonly originAddresses: ReadonlyArray<string>
  readonly icp: string
  readonly serviceType: string
  /** `Http` unless the control API set another (`Https`: served over https only). */
  readonly allowedScheme?: string
}

/** The service's JSON for cache rules and access control, as the emulator keeps and answers them. */
export type CachePolicyJson = typeof Configuration.CachePolicyShape.Encoded
export type AccessControlJson = typeof Configuration.AccessControlShape.Encoded

/** The documented defaults of a new endpoint: no cache rules, no access control. */
export const defaultCachePolicy = (): CachePolicyJson => ({
  Rules: [],
  IgnoreCacheControl: false,
  IgnoreQueryString: false,
  IgnoreCookie: false
})
export const defaultAccessControl = (): AccessControlJson => ({
  ForbiddenIps: [],
  RefererControl: { Enabled: false, PathPatterns: [], Referers: [], RefererControlType: "BlockList" }
})

/** An uploaded certificate, as read from its PEM. */
export interface StoredCertificate {
  readonly id: string
  readonly name: string
  readonly subscriptionId: string
  readonly pem: string
  readonly thumbprint: string
  readonly subjects: ReadonlyArray<string>
  readonly issuers: ReadonlyArray<string>
  readonly serialNumber: string
  readonly validFrom: number
  readonly validTo: number
}

/** An endpoint as stored; `pending` is a change that takes effect at its time (a lifetime transition). */
export interface StoredEndpoint {
  readonly id: string
  readonly subscriptionId: string
  settings: EndpointSettings
  cachePolicy: CachePolicyJson
  accessControl: AccessControlJson
  /** The certificate bound to it, once a binding succeeded. */
  certificateId?: string
  enabled: boolean
  lifetimeStatus: string
  icpVerifyStatus: string
  updatedAt: number
  pending?: {
    readonly at: number
    readonly enabled?: boolean
    readonly lifetimeStatus: string
    readonly icpVerifyStatus?: string
    readonly settings?: EndpointSettings
  }
}

/** One URL of a purge or preload, and whether it will fail. */
export interface StoredItem {
  readonly url: string
  readonly fails: boolean
}

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
  /** A purge's or preload's items. */
  readonly files?: ReadonlyArray<StoredItem>
  readonly directories?: ReadonlyArray<StoredItem>
}

/** The seed document's example, present in every fresh emulator. */
export const seed = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
} as const

/** The settings of the seed endpoint: the live service's captured example. */
export const seedSettings: EndpointSettings = {
  customDomain: "file.example.cn",
  host: "file.example.cn",
  originAddresses: ["origin.example.cn"],
  icp: "京ICP备16013159号",
  serviceType: "Download"
}

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
  recorded: true,
  files: [{ url: "http://file.example.cn/pictures/city.png", fails: false }],
  directories: [{ url: "http://file.example.cn/pictures/", fails: false }]
}

/** Settings for an endpoint made by the control API without any: a domain of its own, from its ID. */
export const placeholderSettings = (endpointId: string): EndpointSettings => ({
  customDomain: `${endpointId.slice(0, 8)}.example.cn`,
  host: `${endpointId.slice(0, 8)}.example.cn`,
  originAddresses: ["origin.example.cn"],
  icp: "京ICP备00000000号",
  serviceType: "Web"
})

/** What a lookup of an operation found. */
export type Lookup =
  | { readonly found: "operation"; readonly operation: StoredOperation }
  | { readonly found: "none"; readonly missing: "SubscriptionNotFound" | "EndpointNotFound" | "Operation" }
  | { readonly found: "elsewhere" }

/** What a lookup of an endpoint found. */
export type EndpointLookup =
  | { readonly found: "endpoint"; readonly endpoint: StoredEndpoint }
  | { readonly found: "none"; readonly missing: "SubscriptionNotFound" | "EndpointNotFound" }
  | { readonly found: "elsewhere" }

/** The account's state. */
export class Store {
  private readonly subscriptions = new Set<string>()
  private readonly endpoints = new Map<string, StoredEndpoint>()
  private readonly operations = new Map<string, StoredOperation>()
  // "subscription/day/kind" -> URLs counted against the daily quota
  private readonly used = new Map<string, number>()
  /** URLs that fail when purged or preloaded (exact), and prefixes that do; whether bindings fail. */
  readonly failing = { urls: new Set<string>(), prefixes: new Set<string>(), bindings: false }
  readonly certificates = new Map<string, StoredCertificate>()
  /** Key ids revoked in the portal: they answer `InvalidApiKey`. */
  readonly revokedKeys = new Set<string>()

  constructor() {
    this.reset()
  }

  /** Back to the seed document's example alone. */
  reset(): void {
    this.subscriptions.clear()
    this.endpoints.clear()
    this.operations.clear()
    this.used.clear()
    this.failing.urls.clear()
    this.failing.prefixes.clear()
    this.failing.bindings = false
    this.certificates.clear()
    this.revokedKeys.clear()
    this.putEndpoint(seed.subscriptionId, seed.endpointId, "Active", seedSettings)
    this.operations.set(seedOperation.id, seedOperation)
  }

  hasSubscription(subscriptionId: string): boolean {
    return this.subscriptions.has(subscriptionId)
  }

  addSubscription(subscriptionId: string): void {
    this.subscriptions.add(subscriptionId)
  }

  /** Creates an endpoint, or sets its state (and settings); false when it already belongs to another subscription. */
  putEndpoint(subscriptionId: string, endpointId: string, state: EndpointState, settings?: EndpointSettings): boolean {
    const existing = this.endpoints.get(endpointId)
    if (existing !== undefined && existing.subscriptionId !== subscriptionId) return false
    this.subscriptions.add(subscriptionId)
    if (existing !== undefined) {
      existing.enabled = state === "Active"
      existing.lifetimeStatus = "Normal"
      delete existing.pending
      if (settings !== undefined) existing.settings = settings
      return true
    }
    this.endpoints.set(endpointId, {
      id: endpointId,
      subscriptionId,
      settings: settings ?? placeholderSettings(endpointId),
      cachePolicy: defaultCachePolicy(),
      accessControl: defaultAccessControl(),
      enabled: state === "Active",
      lifetimeStatus: "Normal",
      icpVerifyStatus: "IcpVerified",
      updatedAt: Date.parse("2017-07-26T05:46:00Z")
    })
    return true
  }

  /** Creates an active endpoint unless it exists; false when it belongs to another subscription. */
  putEndpointIfAbsent(subscriptionId: string, endpointId: string): boolean {
    const existing = this.endpoints.get(endpointId)
    if (existing === undefined) return this.putEndpoint(subscriptionId, endpointId, "Active")
    return existing.subscriptionId === subscriptionId
  }

  /** Adds an endpoint the API created: `Creating`, ICP under review, disabled, until `readyAt`. */
  createEndpoint(subscriptionId: string, endpointId: string, settings: EndpointSettings, now: number, readyAt: number) {
    this.subscriptions.add(subscriptionId)
    const endpoint: StoredEndpoint = {
      id: endpointId,
      subscriptionId,
      settings,
      cachePolicy: defaultCachePolicy(),
      accessControl: defaultAccessControl(),
      enabled: false,
      lifetimeStatus: "Creating",
      icpVerifyStatus: "IcpVerifying",
      updatedAt: now,
      pending: { at: readyAt, enabled: true, lifetimeStatus: "Normal", icpVerifyStatus: "IcpVerified" }
    }
    this.endpoints.set(endpointId, endpoint)
    return endpoint
  }

  /** Applies a pending change whose time has come. */
  private settle(endpoint: StoredEndpoint, now: number): StoredEndpoint {
    const pending = endpoint.pending
    if (pending === undefined || now < pending.at) return endpoint
    delete endpoint.pending
    endpoint.lifetimeStatus = pending.lifetimeStatus
    if (pending.enabled !== undefined) endpoint.enabled = pending.enabled
    if (pending.icpVerifyStatus !== undefined) endpoint.icpVerifyStatus = pending.icpVerifyStatus
    if (pending.settings !== undefined) endpoint.settings = pending.settings
    endpoint.updatedAt = pending.at
    return endpoint
  }

  /** Starts a lifetime transition: `during` now (Updating, Deleting, …), `then` from `at`. */
  transition(endpoint: StoredEndpoint, during: string, now: number, then: NonNullable<StoredEndpoint["pending"]>) {
    endpoint.lifetimeStatus = during
    endpoint.updatedAt = now
    endpoint.pending = then
  }

  /** The endpoints of a subscription at `now`, in creation order; a deleted one is no longer listed. */
  listEndpoints(subscriptionId: string, now: number): ReadonlyArray<StoredEndpoint> {
    const out: Array<StoredEndpoint> = []
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.subscriptionId !== subscriptionId) continue
      if (this.settle(endpoint, now).lifetimeStatus !== "Deleted") out.push(endpoint)
    }
    return out
  }

  /** Resolves a subscription and endpoint in the order the service reports problems. */
  findEndpoint(subscriptionId: string, endpointId: string, now: number): EndpointLookup {
    if (!this.subscriptions.has(subscriptionId)) return { found: "none", missing: "SubscriptionNotFound" }
    const stored = this.endpoints.get(endpointId)
    const endpoint = stored === undefined ? undefined : this.settle(stored, now)
    // A deleted endpoint still reads (with LifetimeStatus Deleted), so that its delete operation can be followed.
    if (endpoint === undefined) return { found: "none", missing: "EndpointNotFound" }
    if (endpoint.subscriptionId !== subscriptionId) return { found: "elsewhere" }
    return { found: "endpoint", endpoint }
  }

  addOperation(operation: StoredOperation): void {
    this.operations.set(operation.id, operation)
  }

  /** The operation `operationId` of an endpoint, or undefined. */
  operation(endpointId: string, operationId: string): StoredOperation | undefined {
    const operation = this.operations.get(operationId)
    return operation?.endpointId === endpointId ? operation : undefined
  }

  /**
   * Resolves the get-operation path: subscription, endpoint, ownership, then the operation. A disabled endpoint's
   * operations still read: a caller waits on the very operation that disabled it.
   */
  find(subscriptionId: string, endpointId: string, operationId: string, now = 0): Lookup {
    const found = this.findEndpoint(subscriptionId, endpointId, now)
    if (found.found !== "endpoint") return found
    const operation = this.operation(endpointId, operationId)
    return operation === undefined ? { found: "none", missing: "Operation" } : { found: "operation", operation }
  }

  /** Counts `count` URLs of `kind` against the subscription's quota for the day; false (and nothing counted) when over. */
  spend(subscriptionId: string, kind: string, count: number, limit: number, now: number): boolean {
    // Quotas reset at midnight in China (UTC+8).
    const day = Math.floor((now + 8 * 3_600_000) / 86_400_000)
    const key = `${subscriptionId}/${day}/${kind}`
    const used = this.used.get(key) ?? 0
    if (used + count > limit) return false
    this.used.set(key, used + count)
    return true
  }

  /** Whether a purged or preloaded URL is set to fail. */
  fails(url: string): boolean {
    if (this.failing.urls.has(url)) return true
    for (const prefix of this.failing.prefixes) if (url.startsWith(prefix)) return true
    return false
  }
}

/** Where an operation's timeline stands at `now`. */
const reachedAt = (operation: StoredOperation, now: number): "NotSet" | "Processing" | "Succeeded" | "Failed" =>
  operation.recorded
    ? operation.finalStatus
    : now < operation.startsAt
      ? "NotSet"
      : now < operation.endsAt
        ? "Processing"
        : operation.finalStatus

/** The operation as the service reports it at `now`. */
export const operationJson = (
  operation: StoredOperation,
  now: number,
  succeeded: "Succeeded" | "Succeed" = "Succeeded"
): OperationJson => {
  const reached = reachedAt(operation, now)
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

/**
 * An item's status at `now`: a purge item is `Running` until the operation ends; a preload item is `Waiting` for
 * the first quarter of it, then `Running`; then `Succeed` (the items' spelling) or `Failed`.
 */
export const itemStatus = (operation: StoredOperation, item: StoredItem, now: number): string => {
  const reached = reachedAt(operation, now)
  if (reached === "Succeeded" || reached === "Failed") return item.fails ? "Failed" : "Succeed"
  if (operation.type !== "Preload") return "Running"
  const quarter = operation.startsAt + (operation.endsAt - operation.startsAt) / 4
  return now < quarter ? "Waiting" : "Running"
}

const itemsJson = (operation: StoredOperation, items: ReadonlyArray<StoredItem> | undefined, now: number) =>
  (items ?? []).map((item) => ({ Url: item.url, Status: itemStatus(operation, item, now) }))

/** A purge's results at `now`. */
export const purgeResultJson = (operation: StoredOperation, now: number) => ({
  Files: itemsJson(operation, operation.files, now),
  Directories: itemsJson(operation, operation.directories, now)
})

/** A preload's results at `now`. */
export const preloadResultJson = (operation: StoredOperation, now: number) => ({
  Files: itemsJson(operation, operation.files, now)
})

/**
 * An endpoint in the live service's shape, or in the documented one (`EndpointID`, `Setting`, booleans as `"true"`),
 * so that clients are tested against both.
 */
export const endpointJson = (endpoint: StoredEndpoint, shape: EndpointShape = "live"): unknown => {
  const live = liveEndpointJson(endpoint)
  if (shape === "live") return live
  const { EndpointId, Settings, Status } = live
  return {
    EndpointID: EndpointId,
    Setting: Settings,
    Status: Object.fromEntries(
      Object.entries(Status).map(([key, value]) => [key, typeof value === "boolean" ? String(value) : value])
    )
  }
}

const liveEndpointJson = (endpoint: StoredEndpoint): EndpointJson => ({
  EndpointId: endpoint.id,
  Settings: {
    CustomDomain: endpoint.settings.customDomain,
    Host: endpoint.settings.host,
    Origin: { Addresses: [...endpoint.settings.originAddresses], SchemePort: { Scheme: "Http", HttpPort: 80 } },
    ICP: endpoint.settings.icp,
    ServiceType: endpoint.settings.serviceType,
    AllowedScheme: endpoint.settings.allowedScheme ?? "Http",
    CName: `${endpoint.settings.customDomain.replace(/^\*\./, "wildcard.")}.mschcdn.com`
  },
  Status: {
    Enabled: endpoint.enabled,
    IcpVerifyStatus: endpoint.icpVerifyStatus,
    LifetimeStatus: endpoint.lifetimeStatus,
    CNameConfigured: endpoint.lifetimeStatus === "Normal",
    FreeTrialExpired: false,
    TimeLastUpdated: new Date(endpoint.updatedAt).toISOString().replace(/\.\d{3}Z$/, "+00:00")
  }
})
