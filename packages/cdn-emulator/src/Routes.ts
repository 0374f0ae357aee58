/**
 * What the emulated service does for each call of `CdnApi`, once the request is signed, its IDs are GUIDs and its
 * subscription and endpoint are found: one handler per call, by the call's name.
 */
import { randomUUID, X509Certificate } from "node:crypto"
import type { CdnApi } from "@org/cdn-core"
import * as Https from "@org/cdn-core/Https"
import type { Granularity } from "@org/cdn-core/Traffic"
import { type Answer, accepted, failure, json } from "./Answer.js"
import type { EmulatorState } from "./Emulator.js"
import {
  defaultAccessControl,
  type EndpointSettings,
  endpointJson,
  operationJson,
  preloadResultJson,
  purgeResultJson,
  type StoredCertificate,
  type StoredEndpoint,
  type StoredItem,
  type StoredOperation
} from "./Store.js"
import { bucketMs, endpointBandwidth, endpointVolume } from "./TrafficSeries.js"

/** A request that reached its call, its input read with the call's own schemas (`CdnApi.readRequest`). */
export interface CallRequest<Input = unknown> {
  readonly emulator: EmulatorState
  /** The emulator's clock. */
  readonly at: number
  readonly subscriptionId: string
  /** The endpoint of the path, found in the subscription; absent for subscription-level calls. */
  readonly endpoint: StoredEndpoint | undefined
  /** The path's other IDs (operation, purge, preload), lower case. */
  readonly ids: Readonly<Record<string, string>>
  /** The call's checked input: the path's IDs, the query's and the body's fields. */
  readonly input: Input
}

type Handler<Input> = (request: CallRequest<Input>) => Answer

const isAnswer = (value: unknown): value is Answer =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Answer).status === "number" &&
  typeof (value as Answer).outcome === "string"

/** A write needs the endpoint serving (enabled) and at rest (`Normal`). */
const inactive = (endpoint: StoredEndpoint): Answer | undefined =>
  endpoint.enabled && endpoint.lifetimeStatus === "Normal"
    ? undefined
    : failure(
        "EndpointNotInActiveState",
        `Endpoint ${endpoint.id} is not in active state (${endpoint.enabled ? "enabled" : "disabled"}, ${endpoint.lifetimeStatus}).`
      )

/** A change of the endpoint's life needs it at rest. */
const busy = (endpoint: StoredEndpoint, allowed: ReadonlyArray<string> = ["Normal"]): Answer | undefined =>
  allowed.includes(endpoint.lifetimeStatus)
    ? undefined
    : failure("EndpointNotInActiveState", `Endpoint ${endpoint.id} is ${endpoint.lifetimeStatus}.`)

/** Stores an operation that runs for the emulator's task duration, and answers 202 with its id. */
const startOperation = (
  request: CallRequest,
  type: string,
  items: { files?: ReadonlyArray<StoredItem>; directories?: ReadonlyArray<StoredItem> } = {},
  failWith?: string
): { operation: StoredOperation; answer: Answer } => {
  const endpoint = request.endpoint as StoredEndpoint
  const failed = [...(items.files ?? []), ...(items.directories ?? [])].filter((item) => item.fails).length
  const all = (items.files?.length ?? 0) + (items.directories?.length ?? 0)
  const operation: StoredOperation = {
    id: randomUUID(),
    type,
    subscriptionId: request.subscriptionId,
    endpointId: endpoint.id,
    createdAt: request.at,
    startsAt: request.at,
    endsAt: request.at + request.emulator.options.taskDurationMs,
    finalStatus: failed > 0 || failWith !== undefined ? "Failed" : "Succeeded",
    message: failWith ?? (failed > 0 ? `${failed} of ${all} items failed.` : null),
    ...items
  }
  request.emulator.store.addOperation(operation)
  return { operation, answer: accepted(operation.id) }
}

/** A lifetime change (update, enable, disable, delete): `during` while the operation runs, then `then`. */
const change = (
  request: CallRequest,
  type: string,
  during: string,
  then: Omit<NonNullable<StoredEndpoint["pending"]>, "at">
): Answer => {
  const { operation, answer } = startOperation(request, type)
  request.emulator.store.transition(request.endpoint as StoredEndpoint, during, request.at, {
    ...then,
    at: operation.endsAt
  })
  return answer
}

/** The URLs of a purge or preload as stored items (the schema has refused malicious and malformed ones). */
const items = (request: CallRequest, urls: ReadonlyArray<string>): Array<StoredItem> =>
  urls.map((url) => ({ url, fails: request.emulator.store.fails(url) }))

/** Counts the URLs against the day's quota; the throttle answer when it would go over. */
const overQuota = (request: CallRequest, kind: keyof EmulatorState["options"]["quotas"], count: number) => {
  const limit = request.emulator.options.quotas[kind]
  return request.emulator.store.spend(request.subscriptionId, kind, count, limit, request.at)
    ? undefined
    : failure("RequestThrottled", `The daily quota of ${limit} (${kind}) for this subscription would be exceeded.`)
}

const bucketOf = (granularity: Granularity): number => bucketMs[granularity]

/** The operation (of the type, when given) under the endpoint, or the not-found answer. */
const operationOf = (request: CallRequest, id: string, what: string, type?: string): StoredOperation | Answer => {
  const operation = request.emulator.store.operation((request.endpoint as StoredEndpoint).id, id)
  return operation === undefined || (type !== undefined && operation.type !== type)
    ? failure("ParameterInvalid", `${what} ${id} was not found.`, 404)
    : operation
}

/** A configuration set: the endpoint at rest and enabled, the body read, the value kept, an operation started. */
const replaceConfiguration = (
  request: CallRequest,
  type: string,
  apply: (endpoint: StoredEndpoint) => void
): Answer => {
  const endpoint = request.endpoint as StoredEndpoint
  const refused = inactive(endpoint)
  if (refused) return refused
  apply(endpoint)
  return startOperation(request, type).answer
}

const certificateJson = (certificate: StoredCertificate, now: number) => ({
  CertificateId: certificate.id,
  CertificateName: certificate.name,
  SubscriptionId: certificate.subscriptionId,
  State: certificate.validTo > now ? "Valid" : "Expired",
  Thumbprint: certificate.thumbprint,
  Issuers: certificate.issuers,
  Subjects: certificate.subjects,
  SerialNumber: certificate.serialNumber,
  ValidFrom: new Date(certificate.validFrom).toISOString(),
  ValidTo: new Date(certificate.validTo).toISOString()
})

type Valid<K extends CdnApi.CallName> = CdnApi.ValidOf<CdnApi.Calls[K]>

/** What each call does, by its `CdnClient` method name, on the input its schemas read. */
export const handlers: { readonly [K in CdnApi.CallName]: Handler<Valid<K>> } = {
  listEndpoints: (request) =>
    json(
      200,
      request.emulator.store
        .listEndpoints(request.subscriptionId, request.at)
        .map((endpoint) => endpointJson(endpoint, request.emulator.options.endpointShape))
    ),

  createEndpoint: (request) => {
    const { input } = request
    const taken = request.emulator.store
      .listEndpoints(request.subscriptionId, request.at)
      .find((e) => e.settings.customDomain === input.customDomain)
    if (taken !== undefined) {
      return failure("ParameterInvalid", `Domain ${input.customDomain} already has endpoint ${taken.id}.`)
    }
    const settings: EndpointSettings = {
      customDomain: input.customDomain,
      host: input.host,
      originAddresses: input.originAddresses,
      icp: input.icp,
      serviceType: input.serviceType
    }
    const readyAt = request.at + request.emulator.options.endpointCreateDurationMs
    const endpoint = request.emulator.store.createEndpoint(
      request.subscriptionId,
      randomUUID(),
      settings,
      request.at,
      readyAt
    )
    return json(202, endpointJson(endpoint, request.emulator.options.endpointShape))
  },

  getEndpoint: (request) =>
    json(200, endpointJson(request.endpoint as StoredEndpoint, request.emulator.options.endpointShape)),

  updateEndpoint: (request) => {
    const endpoint = request.endpoint as StoredEndpoint
    const refused = inactive(endpoint)
    if (refused) return refused
    const { originAddresses, host } = request.input
    const next = {
      ...endpoint.settings,
      ...(originAddresses === undefined ? {} : { originAddresses }),
      ...(host === undefined ? {} : { host })
    }
    return change(request, "Update", "Updating", { lifetimeStatus: "Normal", settings: next })
  },

  deleteEndpoint: (request) =>
    busy(request.endpoint as StoredEndpoint, ["Normal", "CreationFailed"]) ??
    change(request, "Delete", "Deleting", { lifetimeStatus: "Deleted", enabled: false }),

  enableEndpoint: (request) =>
    busy(request.endpoint as StoredEndpoint) ??
    change(request, "Enable", "Enabling", { lifetimeStatus: "Normal", enabled: true }),

  disableEndpoint: (request) =>
    busy(request.endpoint as StoredEndpoint) ??
    change(request, "Disable", "Disabling", { lifetimeStatus: "Normal", enabled: false }),

  purge: (request) => {
    const refused = inactive(request.endpoint as StoredEndpoint)
    if (refused) return refused
    const files = items(request, request.input.files)
    const directories = items(request, request.input.directories)
    const throttled =
      overQuota(request, "purgeFiles", files.length) ?? overQuota(request, "purgeDirectories", directories.length)
    if (throttled) return throttled
    return startOperation(request, "Purge", { files, directories }).answer
  },

  getPurge: (request) => {
    const operation = operationOf(request, request.input.purgeId, "Purge", "Purge")
    return isAnswer(operation) ? operation : json(200, purgeResultJson(operation, request.at))
  },

  preload: (request) => {
    const refused = inactive(request.endpoint as StoredEndpoint)
    if (refused) return refused
    const files = items(request, request.input.files)
    const throttled = overQuota(request, "preloadFiles", files.length)
    if (throttled) return throttled
    return startOperation(request, "Preload", { files }).answer
  },

  getPreload: (request) => {
    const operation = operationOf(request, request.input.preloadId, "Preload", "Preload")
    return isAnswer(operation) ? operation : json(200, preloadResultJson(operation, request.at))
  },

  getOperation: (request) => {
    const operation = operationOf(request, request.input.operationId, "Operation")
    return isAnswer(operation)
      ? operation
      : json(200, operationJson(operation, request.at, request.emulator.options.succeededSpelling))
  },

  getEndpointVolume: (request) => {
    const { startTime, endTime, granularity } = request.input
    const endpoint = request.endpoint as StoredEndpoint
    return json(
      200,
      endpointVolume(
        endpoint.settings.customDomain,
        endpoint.id,
        startTime.getTime(),
        endTime.getTime(),
        bucketOf(granularity)
      )
    )
  },

  getSubscriptionVolume: (request) => {
    const { startTime, endTime, granularity } = request.input
    const details: Record<string, ReturnType<typeof endpointVolume>> = {}
    for (const endpoint of request.emulator.store.listEndpoints(request.subscriptionId, request.at)) {
      details[endpoint.settings.customDomain] = endpointVolume(
        endpoint.settings.customDomain,
        endpoint.id,
        startTime.getTime(),
        endTime.getTime(),
        bucketOf(granularity)
      )
    }
    const sum = (pick: (v: ReturnType<typeof endpointVolume>) => number) =>
      Math.round(Object.values(details).reduce((total, v) => total + pick(v), 0) * 100) / 100
    return json(200, {
      Details: details,
      TotalCdnVolumeInMB: sum((v) => v.TotalCdnVolumeInMB),
      TotalOriginVolumeInMB: sum((v) => v.TotalOriginVolumeInMB)
    })
  },

  getCacheRules: (request) => json(200, (request.endpoint as StoredEndpoint).cachePolicy),

  setCacheRules: (request) =>
    replaceConfiguration(request, "CacheRules", (endpoint) => {
      const { input } = request
      endpoint.cachePolicy = {
        Rules: input.rules.map((rule) => ({ Type: rule.type, Items: [...rule.items], TTL: rule.ttl })),
        IgnoreCacheControl: input.ignoreCacheControl,
        IgnoreQueryString: input.ignoreQueryString,
        IgnoreCookie: input.ignoreCookie
      }
    }),

  getAccessControl: (request) => json(200, (request.endpoint as StoredEndpoint).accessControl),

  setAccessControl: (request) =>
    replaceConfiguration(request, "AccessControl", (endpoint) => {
      const { forbiddenIps, refererControl } = request.input
      endpoint.accessControl =
        refererControl === undefined
          ? { ...defaultAccessControl(), ForbiddenIps: [...forbiddenIps] }
          : {
              ForbiddenIps: [...forbiddenIps],
              RefererControl: {
                Enabled: refererControl.enabled,
                PathPatterns: [...refererControl.pathPatterns],
                Referers: [...refererControl.referers],
                RefererControlType: refererControl.type
              }
            }
    }),

  uploadCertificate: (request) => {
    const { input } = request
    // The schema has read the pair (PEM, the key belonging to the certificate); its validity is the service's check.
    const certificate = new X509Certificate(input.certificate)
    const problem = Https.validityProblem(input.certificate, request.at)
    if (problem !== undefined)
      return failure("ParameterInvalid", `PublicCertificate: ${problem.replace(/^certificate /, "")}.`)
    // The key itself is never kept: the emulator only needs to know it belongs to the certificate.
    const stored: StoredCertificate = {
      id: randomUUID(),
      name: input.name,
      subscriptionId: request.subscriptionId,
      pem: input.certificate,
      thumbprint: certificate.fingerprint256.replace(/:/g, ""),
      subjects: Https.namesOf(certificate),
      issuers: [certificate.issuer.replace(/\n/g, ", ")],
      serialNumber: certificate.serialNumber,
      validFrom: Date.parse(certificate.validFrom),
      validTo: Date.parse(certificate.validTo)
    }
    request.emulator.store.certificates.set(stored.id, stored)
    return json(200, certificateJson(stored, request.at))
  },

  bindCertificate: (request) => {
    const { input, emulator } = request
    const certificate = emulator.store.certificates.get(input.certificateId)
    if (certificate === undefined || certificate.subscriptionId !== request.subscriptionId) {
      return failure("ParameterInvalid", `Certificate ${input.certificateId} was not found.`, 404)
    }
    const lookup = emulator.store.findEndpoint(request.subscriptionId, input.endpointId, request.at)
    if (lookup.found === "none") return failure("EndpointNotFound", `Endpoint ${input.endpointId} does not exist.`)
    if (lookup.found === "elsewhere") {
      return failure(
        "EndpointDoesNotBelongToSubscription",
        `Endpoint ${input.endpointId} does not belong to subscription ${request.subscriptionId}.`
      )
    }
    const endpoint = lookup.endpoint
    const refused = inactive(endpoint)
    if (refused) return refused
    const x509 = new X509Certificate(certificate.pem)
    if (!Https.covers(x509, endpoint.settings.customDomain)) {
      return failure(
        "ParameterInvalid",
        `Certificate ${certificate.name} does not cover ${endpoint.settings.customDomain}.`
      )
    }
    if (certificate.validTo <= request.at)
      return failure("ParameterInvalid", `Certificate ${certificate.name} has expired.`)
    const failing = emulator.store.failing.bindings
    const started = startOperation({ ...request, endpoint }, "Bind", {}, failing ? "The binding failed." : undefined)
    if (!failing) endpoint.certificateId = certificate.id
    return started.answer
  },

  getEndpointBandwidth: (request) => {
    const endpoint = request.endpoint as StoredEndpoint
    return json(
      200,
      endpointBandwidth(
        endpoint.settings.customDomain,
        endpoint.id,
        request.input.startTime.getTime(),
        request.input.endTime.getTime()
      )
    )
  }
}
