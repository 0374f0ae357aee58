/**
 * What the emulated service does for each call of `CdnApi`, once the request is signed, its IDs are GUIDs and its
 * subscription and endpoint are found: one handler per call, by the call's name.
 */
import { createPrivateKey, randomUUID, X509Certificate } from "node:crypto"
import { isIP } from "node:net"
import type { CdnApi } from "@org/cdn-core"
import { ServiceTypes } from "@org/cdn-core/Endpoints"
import * as Https from "@org/cdn-core/Https"
import { Granularities, maxSpanDays } from "@org/cdn-core/Traffic"
import { type Answer, accepted, failure, json } from "./Answer.js"
import type { EmulatorState } from "./Emulator.js"
import {
  type AccessControlJson,
  type CachePolicyJson,
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

/** A request that reached its call. */
export interface CallRequest {
  readonly emulator: EmulatorState
  /** The emulator's clock. */
  readonly at: number
  readonly subscriptionId: string
  /** The endpoint of the path, found in the subscription; absent for subscription-level calls. */
  readonly endpoint: StoredEndpoint | undefined
  /** The path's other IDs (operation, purge, preload), lower case. */
  readonly ids: Readonly<Record<string, string>>
  /** Decoded query parameters, first value per name. */
  readonly query: Readonly<Record<string, string>>
  /** The parsed JSON payload of a write. */
  readonly body: unknown
}

type Handler = (request: CallRequest) => Answer

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A field of the body: `ParameterMissing` when absent, `ParameterInvalid` when of the wrong kind. */
const field = <A>(body: unknown, name: string, check: (value: unknown) => value is A, kind: string): A | Answer => {
  const value = isRecord(body) ? body[name] : undefined
  if (value === undefined || value === null) return failure("ParameterMissing", `Parameter ${name} is missing.`)
  return check(value) ? value : failure("ParameterInvalid", `Parameter ${name} must be ${kind}.`)
}

const isString = (value: unknown): value is string => typeof value === "string" && value.trim() !== ""
const isStringList = (value: unknown): value is Array<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")
const isAnswer = (value: unknown): value is Answer =>
  isRecord(value) && typeof value.status === "number" && typeof value.outcome === "string"

const hostPattern = /^(\*\.)?([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$/
const ipv4 = /^(\d{1,3}\.){3}\d{1,3}$/

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

// A control character (or DEL) anywhere in an item is refused.
const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

// `..` segments, control characters and encoded slashes are what the service calls malicious.
const malicious = (url: string): boolean => {
  const path = url.replace(/^https?:\/\/[^/]*/i, "")
  return /(^|\/)\.\.(\/|$)/.test(path) || hasControl(url) || /%2f|%5c/i.test(path)
}

/** Checks the URLs of a purge or preload list; the items to store, or the answer refusing them. */
const items = (request: CallRequest, urls: ReadonlyArray<string>, name: string): Array<StoredItem> | Answer => {
  const out: Array<StoredItem> = []
  for (const url of urls) {
    if (malicious(url)) return failure("MaliciousItemPathDetected", `Item path '${url}' is not allowed.`)
    let host: string
    try {
      const parsed = new URL(url)
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme")
      host = parsed.hostname
    } catch {
      return failure("ParameterInvalid", `${name} must hold absolute http(s) URLs; '${url}' is not one.`)
    }
    if (host.includes("*")) {
      return failure("ParameterInvalid", `URL '${url}' must name a concrete host, not a wildcard.`)
    }
    out.push({ url, fails: request.emulator.store.fails(url) })
  }
  return out
}

/** Counts the URLs against the day's quota; the throttle answer when it would go over. */
const overQuota = (request: CallRequest, kind: keyof EmulatorState["options"]["quotas"], count: number) => {
  const limit = request.emulator.options.quotas[kind]
  return request.emulator.store.spend(request.subscriptionId, kind, count, limit, request.at)
    ? undefined
    : failure("RequestThrottled", `The daily quota of ${limit} (${kind}) for this subscription would be exceeded.`)
}

const trafficTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

/** `startTime` and `endTime` from the query, checked; the answer refusing them otherwise. */
const range = (request: CallRequest): { start: number; end: number } | Answer => {
  const times: Array<number> = []
  for (const name of ["startTime", "endTime"] as const) {
    const text = request.query[name]
    if (text === undefined) return failure("ParameterMissing", `Query parameter ${name} is missing.`)
    const at = trafficTime.test(text) ? Date.parse(text) : Number.NaN
    if (Number.isNaN(at)) return failure("ParameterInvalid", `${name} '${text}' is not yyyy-MM-ddTHH:mm:ssZ.`)
    times.push(at)
  }
  const [start, end] = times as [number, number]
  if (end <= start) return failure("ParameterInvalid", "endTime must be after startTime.")
  if (end - start > maxSpanDays * 86_400_000) {
    return failure("ParameterInvalid", `The range may span at most ${maxSpanDays} days.`)
  }
  return { start, end }
}

/** A volume call's range and its bucket size (from `granularity`), or the answer refusing them. */
const bucketedRange = (request: CallRequest): { start: number; end: number; size: number } | Answer => {
  const granularity = request.query.granularity
  if (granularity === undefined) return failure("ParameterMissing", "Query parameter granularity is missing.")
  if (!(Granularities as ReadonlyArray<string>).includes(granularity)) {
    return failure("ParameterInvalid", `granularity must be one of ${Granularities.join(", ")}.`)
  }
  const times = range(request)
  return isAnswer(times) ? times : { ...times, size: bucketMs[granularity as keyof typeof bucketMs] }
}

/** The operation (of the type, when given) under the endpoint, or the not-found answer. */
const operationOf = (request: CallRequest, id: string, what: string, type?: string): StoredOperation | Answer => {
  const operation = request.emulator.store.operation((request.endpoint as StoredEndpoint).id, id)
  return operation === undefined || (type !== undefined && operation.type !== type)
    ? failure("ParameterInvalid", `${what} ${id} was not found.`, 404)
    : operation
}

/** Endpoint settings from a create body, or the answer refusing it. */
const createSettings = (request: CallRequest): EndpointSettings | Answer => {
  const { body } = request
  const domain = field(body, "CustomDomain", isString, "a domain name")
  if (isAnswer(domain)) return domain
  if (!hostPattern.test(domain)) return failure("ParameterInvalid", `CustomDomain '${domain}' is not a domain name.`)
  const icp = field(body, "ICP", isString, "the ICP filing number")
  if (isAnswer(icp)) return icp
  const origin = field(body, "Origin", isRecord, "an object with Addresses")
  if (isAnswer(origin)) return origin
  const addresses = field(origin, "Addresses", isStringList, "a list of host names or IPv4 addresses")
  if (isAnswer(addresses)) return addresses
  if (addresses.length === 0) return failure("ParameterMissing", "Parameter Origin.Addresses is empty.")
  const badAddress = addresses.find((address) => !hostPattern.test(address) && !ipv4.test(address))
  if (badAddress !== undefined) return failure("ParameterInvalid", `Origin address '${badAddress}' is not valid.`)
  const serviceType = field(body, "ServiceType", isString, "a service type")
  if (isAnswer(serviceType)) return serviceType
  if (!(ServiceTypes as ReadonlyArray<string>).includes(serviceType)) {
    return failure("ParameterInvalid", `ServiceType must be one of ${ServiceTypes.join(", ")}.`)
  }
  const host = isRecord(body) && isString(body.Host) ? body.Host : domain
  return { customDomain: domain, host, originAddresses: addresses, icp, serviceType }
}

const isBool = (value: unknown): value is boolean | string =>
  typeof value === "boolean" || value === "true" || value === "false"
const asBool = (value: unknown): boolean => value === true || value === "true"

/** Cache rules from a set body (TTL and flags in either published spelling), or the answer refusing them. */
const cachePolicyOf = (body: unknown): CachePolicyJson | Answer => {
  const rules = field(body, "Rules", isList, "a list of rules")
  if (isAnswer(rules)) return rules
  const out: Array<{ Type: string; Items: Array<string>; TTL: number }> = []
  for (const rule of rules) {
    const type = field(rule, "Type", isString, "Dir, Suffix or FullUri")
    if (isAnswer(type)) return type
    if (type !== "Dir" && type !== "Suffix" && type !== "FullUri") {
      return failure("ParameterInvalid", `Rule type '${type}' must be Dir, Suffix or FullUri.`)
    }
    const items = field(rule, "Items", isStringList, "a list of strings")
    if (isAnswer(items)) return items
    const ttl = Number(isRecord(rule) ? rule.TTL : undefined)
    if (!Number.isInteger(ttl) || ttl < 0)
      return failure("ParameterInvalid", "TTL must be a whole number of seconds >= 0.")
    for (const item of items) {
      const bad = type === "Suffix" ? item.includes(".") || item.includes("/") : !item.startsWith("/")
      if (bad || /[{}()[\]?*\\^$]/.test(item))
        return failure("ParameterInvalid", `Rule item '${item}' is not valid for ${type}.`)
    }
    out.push({ Type: type, Items: items, TTL: ttl })
  }
  const flags: Record<string, boolean> = {}
  for (const name of ["IgnoreCacheControl", "IgnoreQueryString", "IgnoreCookie"] as const) {
    const value = isRecord(body) ? body[name] : undefined
    if (value !== undefined && !isBool(value))
      return failure("ParameterInvalid", `Parameter ${name} must be true or false.`)
    flags[name] = asBool(value)
  }
  return { Rules: out, ...flags }
}

/** Access control from a set body, or the answer refusing it. */
const accessControlOf = (body: unknown): AccessControlJson | Answer => {
  const ips = isRecord(body) && body.ForbiddenIps !== undefined ? body.ForbiddenIps : []
  if (!isStringList(ips)) return failure("ParameterInvalid", "Parameter ForbiddenIps must be a list of IP addresses.")
  const badIp = ips.find((ip) => isIP(ip) === 0)
  if (badIp !== undefined) return failure("ParameterInvalid", `'${badIp}' is not an IPv4 or IPv6 address.`)
  const referer = isRecord(body) ? body.RefererControl : undefined
  if (referer === undefined || referer === null) return { ...defaultAccessControl(), ForbiddenIps: ips }
  if (!isRecord(referer)) return failure("ParameterInvalid", "Parameter RefererControl must be an object.")
  const type = referer.RefererControlType === "AllowedList" ? "AllowList" : referer.RefererControlType
  if (type !== "AllowList" && type !== "BlockList") {
    return failure("ParameterInvalid", "RefererControlType must be AllowList or BlockList.")
  }
  const referers = referer.Referers ?? []
  const patterns = referer.PathPatterns ?? []
  if (!isStringList(referers) || !isStringList(patterns)) {
    return failure("ParameterInvalid", "Referers and PathPatterns must be lists of strings.")
  }
  return {
    ForbiddenIps: ips,
    RefererControl: {
      Enabled: asBool(referer.Enabled),
      PathPatterns: patterns,
      Referers: referers,
      RefererControlType: type
    }
  }
}

/** A configuration set: the endpoint at rest and enabled, the body read, the value kept, an operation started. */
const replaceConfiguration = <A>(
  request: CallRequest,
  type: string,
  read: (body: unknown) => A | Answer,
  apply: (endpoint: StoredEndpoint, value: A) => void
): Answer => {
  const endpoint = request.endpoint as StoredEndpoint
  const refused = inactive(endpoint)
  if (refused) return refused
  const value = read(request.body)
  if (isAnswer(value)) return value
  apply(endpoint, value)
  return startOperation(request, type).answer
}

const certificateJson = (certificate: StoredCertificate) => ({
  CertificateId: certificate.id,
  CertificateName: certificate.name,
  SubscriptionId: certificate.subscriptionId,
  State: certificate.validTo > Date.now() ? "Valid" : "Expired",
  Thumbprint: certificate.thumbprint,
  Issuers: certificate.issuers,
  Subjects: certificate.subjects,
  SerialNumber: certificate.serialNumber,
  ValidFrom: new Date(certificate.validFrom).toISOString(),
  ValidTo: new Date(certificate.validTo).toISOString()
})

const isList = (value: unknown): value is Array<unknown> => Array.isArray(value)

/** What each call does, by its `CdnClient` method name. */
export const handlers: { readonly [K in CdnApi.CallName]: Handler } = {
  listEndpoints: (request) =>
    json(200, request.emulator.store.listEndpoints(request.subscriptionId, request.at).map(endpointJson)),

  createEndpoint: (request) => {
    const settings = createSettings(request)
    if (isAnswer(settings)) return settings
    const taken = request.emulator.store
      .listEndpoints(request.subscriptionId, request.at)
      .find((e) => e.settings.customDomain === settings.customDomain)
    if (taken !== undefined) {
      return failure("ParameterInvalid", `Domain ${settings.customDomain} already has endpoint ${taken.id}.`)
    }
    const readyAt = request.at + request.emulator.options.endpointCreateDurationMs
    const endpoint = request.emulator.store.createEndpoint(
      request.subscriptionId,
      randomUUID(),
      settings,
      request.at,
      readyAt
    )
    return json(202, endpointJson(endpoint))
  },

  getEndpoint: (request) => json(200, endpointJson(request.endpoint as StoredEndpoint)),

  updateEndpoint: (request) => {
    const endpoint = request.endpoint as StoredEndpoint
    const refused = inactive(endpoint)
    if (refused) return refused
    const settings = field(request.body, "EndpointSettings", isRecord, "an object")
    if (isAnswer(settings)) return settings
    const flag = field(request.body, "UpdateFlag", isString, "Origin, HostHeader or Origin,HostHeader")
    if (isAnswer(flag)) return flag
    const flags = flag.split(",").map((f) => f.trim())
    if (flags.length === 0 || flags.some((f) => f !== "Origin" && f !== "HostHeader")) {
      return failure("ParameterInvalid", `UpdateFlag '${flag}' must be Origin, HostHeader or Origin,HostHeader.`)
    }
    let next = endpoint.settings
    if (flags.includes("Origin")) {
      const origin = field(settings, "Origin", isRecord, "an object with Addresses")
      if (isAnswer(origin)) return origin
      const addresses = field(origin, "Addresses", isStringList, "a list of host names or IPv4 addresses")
      if (isAnswer(addresses)) return addresses
      if (addresses.length === 0) return failure("ParameterMissing", "Parameter Origin.Addresses is empty.")
      next = { ...next, originAddresses: addresses }
    }
    if (flags.includes("HostHeader")) {
      const host = field(settings, "Host", isString, "a host name")
      if (isAnswer(host)) return host
      next = { ...next, host }
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
    const body = isRecord(request.body) ? request.body : {}
    const lists: Array<ReadonlyArray<string>> = []
    for (const name of ["Files", "Directories"] as const) {
      const value = body[name] ?? []
      if (!isStringList(value)) return failure("ParameterInvalid", `Parameter ${name} must be a list of URLs.`)
      lists.push(value)
    }
    const [fileUrls, directoryUrls] = lists as [ReadonlyArray<string>, ReadonlyArray<string>]
    if (fileUrls.length + directoryUrls.length === 0) {
      return failure("ParameterMissing", "Parameter Files or Directories is missing.")
    }
    const files = items(request, fileUrls, "Files")
    if (isAnswer(files)) return files
    const directories = items(request, directoryUrls, "Directories")
    if (isAnswer(directories)) return directories
    const throttled =
      overQuota(request, "purgeFiles", files.length) ?? overQuota(request, "purgeDirectories", directories.length)
    if (throttled) return throttled
    return startOperation(request, "Purge", { files, directories }).answer
  },

  getPurge: (request) => {
    const operation = operationOf(request, request.ids.purgeId as string, "Purge", "Purge")
    return isAnswer(operation) ? operation : json(200, purgeResultJson(operation, request.at))
  },

  preload: (request) => {
    const refused = inactive(request.endpoint as StoredEndpoint)
    if (refused) return refused
    const urls = field(request.body, "Files", isStringList, "a list of URLs")
    if (isAnswer(urls)) return urls
    if (urls.length === 0) return failure("ParameterMissing", "Parameter Files is empty.")
    const files = items(request, urls, "Files")
    if (isAnswer(files)) return files
    const throttled = overQuota(request, "preloadFiles", files.length)
    if (throttled) return throttled
    return startOperation(request, "Preload", { files }).answer
  },

  getPreload: (request) => {
    const operation = operationOf(request, request.ids.preloadId as string, "Preload", "Preload")
    return isAnswer(operation) ? operation : json(200, preloadResultJson(operation, request.at))
  },

  getOperation: (request) => {
    const operation = operationOf(request, request.ids.operationId as string, "Operation")
    return isAnswer(operation)
      ? operation
      : json(200, operationJson(operation, request.at, request.emulator.options.succeededSpelling))
  },

  getEndpointVolume: (request) => {
    const times = bucketedRange(request)
    if (isAnswer(times)) return times
    const endpoint = request.endpoint as StoredEndpoint
    return json(200, endpointVolume(endpoint.settings.customDomain, endpoint.id, times.start, times.end, times.size))
  },

  getSubscriptionVolume: (request) => {
    const times = bucketedRange(request)
    if (isAnswer(times)) return times
    const details: Record<string, ReturnType<typeof endpointVolume>> = {}
    for (const endpoint of request.emulator.store.listEndpoints(request.subscriptionId, request.at)) {
      details[endpoint.settings.customDomain] = endpointVolume(
        endpoint.settings.customDomain,
        endpoint.id,
        times.start,
        times.end,
        times.size
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
    replaceConfiguration(request, "CacheRules", cachePolicyOf, (endpoint, policy) => {
      endpoint.cachePolicy = policy
    }),

  getAccessControl: (request) => json(200, (request.endpoint as StoredEndpoint).accessControl),

  setAccessControl: (request) =>
    replaceConfiguration(request, "AccessControl", accessControlOf, (endpoint, access) => {
      endpoint.accessControl = access
    }),

  uploadCertificate: (request) => {
    const { body } = request
    const pem = field(body, "PublicCertificate", isString, "the certificate's PEM")
    if (isAnswer(pem)) return pem
    const keyText = field(body, "PrivateKey", isString, "the private key's PEM")
    if (isAnswer(keyText)) return keyText
    let certificate: X509Certificate
    try {
      certificate = new X509Certificate(pem)
    } catch {
      return failure("ParameterInvalid", "PublicCertificate is not a PEM certificate.")
    }
    try {
      if (!certificate.checkPrivateKey(createPrivateKey(keyText))) {
        return failure("ParameterInvalid", "PrivateKey does not belong to the certificate.")
      }
    } catch {
      // The key's text is never repeated.
      return failure("ParameterInvalid", "PrivateKey is not a PEM private key.")
    }
    const name =
      isRecord(body) && isString(body.CertificateName)
        ? body.CertificateName
        : isRecord(body) && isString(body.Name)
          ? body.Name
          : "certificate"
    const stored: StoredCertificate = {
      id: randomUUID(),
      name,
      subscriptionId: request.subscriptionId,
      pem,
      thumbprint: certificate.fingerprint256.replace(/:/g, ""),
      subjects: Https.namesOf(certificate),
      issuers: [certificate.issuer.replace(/\n/g, ", ")],
      serialNumber: certificate.serialNumber,
      validFrom: Date.parse(certificate.validFrom),
      validTo: Date.parse(certificate.validTo)
    }
    request.emulator.store.certificates.set(stored.id, stored)
    return json(200, certificateJson(stored))
  },

  bindCertificate: (request) => {
    const { body, emulator } = request
    const certificateId = field(body, "CertificateId", isString, "a certificate id")
    if (isAnswer(certificateId)) return certificateId
    const endpointId = field(body, "EndpointId", isString, "an endpoint GUID")
    if (isAnswer(endpointId)) return endpointId
    const origin = isRecord(body) ? body.OriginProtocol : undefined
    if (origin !== undefined && origin !== "Http" && origin !== "Https" && origin !== "FollowRequest") {
      return failure("ParameterInvalid", "OriginProtocol must be Http, Https or FollowRequest.")
    }
    const certificate = emulator.store.certificates.get(certificateId)
    if (certificate === undefined || certificate.subscriptionId !== request.subscriptionId) {
      return failure("ParameterInvalid", `Certificate ${certificateId} was not found.`, 404)
    }
    const lookup = emulator.store.findEndpoint(request.subscriptionId, endpointId.toLowerCase(), request.at)
    if (lookup.found === "none") return failure("EndpointNotFound", `Endpoint ${endpointId} does not exist.`)
    if (lookup.found === "elsewhere") {
      return failure(
        "EndpointDoesNotBelongToSubscription",
        `Endpoint ${endpointId} does not belong to subscription ${request.subscriptionId}.`
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
    const times = range(request)
    if (isAnswer(times)) return times
    const endpoint = request.endpoint as StoredEndpoint
    return json(200, endpointBandwidth(endpoint.settings.customDomain, endpoint.id, times.start, times.end))
  }
}
