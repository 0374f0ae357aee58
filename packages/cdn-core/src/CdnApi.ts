/**
 * The API's calls described once: method, path, who may make it, what the caller gives, what goes on the wire,
 * what comes back. `CdnClient` derives a typed method from each; the emulator and the proxy route by them.
 * Adding a call is one entry here.
 */
import type { Schema } from "effect"
import { AsyncResult } from "./AsyncResult.js"
import {
  AccessControl,
  AccessControlInput,
  accessControlBody,
  CachePolicy,
  CachePolicyInput,
  cachePolicyBody
} from "./Configuration.js"
import { PreloadInput, PreloadRef, PreloadResult, PurgeInput, PurgeRef, PurgeResult, purgeBody } from "./Content.js"
import {
  CreateEndpointInput,
  createEndpointBody,
  Endpoint,
  EndpointList,
  EndpointRef,
  SubscriptionRef,
  UpdateEndpointInput,
  updateEndpointBody
} from "./Endpoints.js"
import { BindCertificateInput, bindBody, Certificate, UploadCertificateInput, uploadBody } from "./Https.js"
import { Operation, OperationRef } from "./Operation.js"
import {
  EndpointBandwidth,
  EndpointBandwidthInput,
  EndpointVolume,
  EndpointVolumeInput,
  SubscriptionVolume,
  SubscriptionVolumeInput,
  trafficQuery
} from "./Traffic.js"
import type { Method } from "./Transport.js"

/** The API version every call carries. */
export const apiVersion = "1.0"

/**
 * What a caller needs to make a call (the proxy's token permissions): `read` for every GET, `purge` for purge and
 * preload, `manage` for changing endpoints.
 */
export type Permission = "read" | "purge" | "manage"

/** A request as it arrives at a server: the path's placeholders, the query (first value per name), the JSON body. */
export interface WireRequest {
  readonly params: Readonly<Record<string, string>>
  readonly query: Readonly<Record<string, string>>
  readonly body: unknown
}

/** One call of the API. */
export interface Call<In, Valid, Out> {
  readonly method: Method
  /** The path, with `{name}` filled from the checked input, e.g. `/subscriptions/{subscriptionId}/endpoints`. */
  readonly path: string
  readonly permission: Permission
  /** One line for a person: what the call does. */
  readonly summary: string
  /** Checks and normalises what the caller gives (GUIDs lower-cased, URLs and ranges checked). */
  readonly input: Schema.Schema<Valid, In>
  /** Query parameters besides `apiVersion`. */
  readonly query?: (input: Valid) => ReadonlyArray<readonly [string, string]>
  /** The JSON payload of a write. */
  readonly body?: (input: Valid) => unknown
  /** Reads a 2xx answer. */
  readonly success: Schema.Schema<Out, unknown>
  /** The caller's input from a request in the service's own shape (what a proxy receives); checked by `input`. */
  readonly fromRequest: (request: WireRequest) => unknown
}

/** Any call, for code that handles them all alike (routing, permissions). */
// biome-ignore lint/suspicious/noExplicitAny: the table holds calls of every input and output type.
export type AnyCall = Call<any, any, any>

const call = <In, Valid, Out, OutI>(
  description: Omit<Call<In, Valid, Out>, "success" | "fromRequest"> & {
    readonly success: Schema.Schema<Out, OutI>
    readonly fromRequest?: (request: WireRequest) => unknown
  }
): Call<In, Valid, Out> =>
  ({ fromRequest: (request: WireRequest) => request.params, ...description }) as Call<In, Valid, Out>

// A field of a JSON body, whatever the body is.
const field = (value: unknown, name: string): unknown =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined

const list = (value: unknown): unknown => (Array.isArray(value) ? value : value === undefined ? [] : value)
const bool = (value: unknown): unknown => (value === "true" ? true : value === "false" ? false : value)

const trafficFromRequest = (request: WireRequest) => ({
  ...request.params,
  ...(request.query.granularity === undefined ? {} : { granularity: request.query.granularity }),
  startTime: request.query.startTime,
  endTime: request.query.endTime
})

const endpoints = "/subscriptions/{subscriptionId}/endpoints"
const endpoint = `${endpoints}/{endpointId}`

/** Every call of the API v1, by the name of its `CdnClient` method. */
export const calls = {
  /** Every endpoint of a subscription (a bare list, no paging). */
  listEndpoints: call({
    method: "GET",
    path: endpoints,
    permission: "read",
    summary: "list the endpoints of a subscription",
    input: SubscriptionRef,
    success: EndpointList
  }),
  /** Creates an endpoint: it starts `Creating` while the ICP filing is reviewed; follow it with `getEndpoint`. */
  createEndpoint: call({
    method: "POST",
    path: endpoints,
    permission: "manage",
    summary: "create an endpoint",
    input: CreateEndpointInput,
    body: createEndpointBody,
    success: Endpoint,
    fromRequest: ({ params, body }) => ({
      ...params,
      customDomain: field(body, "CustomDomain"),
      icp: field(body, "ICP"),
      originAddresses: field(field(body, "Origin"), "Addresses"),
      serviceType: field(body, "ServiceType"),
      ...(field(body, "Host") === undefined ? {} : { host: field(body, "Host") })
    })
  }),
  /** One endpoint: its settings and status. */
  getEndpoint: call({
    method: "GET",
    path: endpoint,
    permission: "read",
    summary: "show an endpoint",
    input: EndpointRef,
    success: Endpoint
  }),
  /** Changes an endpoint's origin addresses and/or host header (202: follow the operation). */
  updateEndpoint: call({
    method: "PUT",
    path: endpoint,
    permission: "manage",
    summary: "change an endpoint's origin or host header",
    input: UpdateEndpointInput,
    body: updateEndpointBody,
    success: AsyncResult,
    fromRequest: ({ params, body }) => {
      const settings = field(body, "EndpointSettings")
      const addresses = field(field(settings, "Origin"), "Addresses")
      const host = field(settings, "Host")
      return {
        ...params,
        ...(addresses === undefined ? {} : { originAddresses: addresses }),
        ...(host === undefined ? {} : { host })
      }
    }
  }),
  /** Deletes an endpoint (202: follow the operation). */
  deleteEndpoint: call({
    method: "DELETE",
    path: endpoint,
    permission: "manage",
    summary: "delete an endpoint",
    input: EndpointRef,
    success: AsyncResult
  }),
  /** Starts serving (202: follow the operation). */
  enableEndpoint: call({
    method: "POST",
    path: `${endpoint}/enable`,
    permission: "manage",
    summary: "enable an endpoint",
    input: EndpointRef,
    success: AsyncResult
  }),
  /** Stops serving (202: follow the operation). */
  disableEndpoint: call({
    method: "POST",
    path: `${endpoint}/disable`,
    permission: "manage",
    summary: "disable an endpoint",
    input: EndpointRef,
    success: AsyncResult
  }),
  /** Purges files and directories from the CDN's caches; `taskTrackId` is the purge id and the operation id. */
  purge: call({
    method: "POST",
    path: `${endpoint}/purges`,
    permission: "purge",
    summary: "purge files and directories",
    input: PurgeInput,
    body: purgeBody,
    success: AsyncResult,
    fromRequest: ({ params, body }) => ({
      ...params,
      ...(field(body, "Files") === undefined ? {} : { files: field(body, "Files") }),
      ...(field(body, "Directories") === undefined ? {} : { directories: field(body, "Directories") })
    })
  }),
  /** The per-item results of a purge. */
  getPurge: call({
    method: "GET",
    path: `${endpoint}/purges/{purgeId}`,
    permission: "read",
    summary: "show a purge's per-item results",
    input: PurgeRef,
    success: PurgeResult
  }),
  /** Preloads files into the CDN's caches; `taskTrackId` is the preload id and the operation id. */
  preload: call({
    method: "POST",
    path: `${endpoint}/preloads`,
    permission: "purge",
    summary: "preload files",
    input: PreloadInput,
    body: (input) => ({ Files: input.files }),
    success: AsyncResult,
    fromRequest: ({ params, body }) => ({ ...params, files: field(body, "Files") })
  }),
  /** The per-item results of a preload. */
  getPreload: call({
    method: "GET",
    path: `${endpoint}/preloads/{preloadId}`,
    permission: "read",
    summary: "show a preload's per-item results",
    input: PreloadRef,
    success: PreloadResult
  }),
  /** The status of an asynchronous operation (a purge, a preload, an endpoint change). */
  getOperation: call({
    method: "GET",
    path: `${endpoint}/operations/{operationId}`,
    permission: "read",
    summary: "show an operation",
    input: OperationRef,
    success: Operation
  }),
  /** An endpoint's volume (MB) per bucket of the granularity. */
  getEndpointVolume: call({
    method: "GET",
    path: `${endpoint}/volume`,
    permission: "read",
    summary: "an endpoint's traffic volume",
    input: EndpointVolumeInput,
    query: trafficQuery,
    success: EndpointVolume,
    fromRequest: trafficFromRequest
  }),
  /** An endpoint's bandwidth (Mbps) over the range, with peaks and valleys. */
  getEndpointBandwidth: call({
    method: "GET",
    path: `${endpoint}/bandwidth`,
    permission: "read",
    summary: "an endpoint's bandwidth",
    input: EndpointBandwidthInput,
    query: trafficQuery,
    success: EndpointBandwidth,
    fromRequest: trafficFromRequest
  }),
  /** A subscription's volume: one series per domain, and totals. */
  getSubscriptionVolume: call({
    method: "GET",
    path: "/subscriptions/{subscriptionId}/volume",
    permission: "read",
    summary: "a subscription's traffic volume, per domain",
    input: SubscriptionVolumeInput,
    query: trafficQuery,
    success: SubscriptionVolume,
    fromRequest: trafficFromRequest
  }),
  /** An endpoint's cache rules. */
  getCacheRules: call({
    method: "GET",
    path: `${endpoint}/cacherules`,
    permission: "read",
    summary: "show an endpoint's cache rules",
    input: EndpointRef,
    success: CachePolicy
  }),
  /** Replaces an endpoint's cache rules with the whole policy given (202: follow the operation). */
  setCacheRules: call({
    method: "PUT",
    path: `${endpoint}/cacherules`,
    permission: "manage",
    summary: "set an endpoint's cache rules",
    input: CachePolicyInput,
    body: cachePolicyBody,
    success: AsyncResult,
    fromRequest: ({ params, body }) => ({
      ...params,
      rules: Array.isArray(field(body, "Rules"))
        ? (field(body, "Rules") as Array<unknown>).map((rule) => ({
            type: field(rule, "Type"),
            items: list(field(rule, "Items")),
            ttl: typeof field(rule, "TTL") === "string" ? Number(field(rule, "TTL")) : field(rule, "TTL")
          }))
        : field(body, "Rules"),
      ...Object.fromEntries(
        (["IgnoreCacheControl", "IgnoreQueryString", "IgnoreCookie"] as const)
          .filter((name) => field(body, name) !== undefined)
          .map((name) => [`${name[0]?.toLowerCase()}${name.slice(1)}`, bool(field(body, name))])
      )
    })
  }),
  /** An endpoint's access control: forbidden IPs and referer control. */
  getAccessControl: call({
    method: "GET",
    path: `${endpoint}/accesscontrol`,
    permission: "read",
    summary: "show an endpoint's access control",
    input: EndpointRef,
    success: AccessControl
  }),
  /** Replaces an endpoint's access control (202: follow the operation). */
  setAccessControl: call({
    method: "PUT",
    path: `${endpoint}/accesscontrol`,
    permission: "manage",
    summary: "set an endpoint's access control",
    input: AccessControlInput,
    body: accessControlBody,
    success: AsyncResult,
    fromRequest: ({ params, body }) => {
      const referer = field(body, "RefererControl")
      const type = field(referer, "RefererControlType")
      return {
        ...params,
        forbiddenIps: list(field(body, "ForbiddenIps")),
        ...(referer === undefined || referer === null
          ? {}
          : {
              refererControl: {
                enabled: bool(field(referer, "Enabled")),
                type: type === "AllowedList" ? "AllowList" : type,
                referers: list(field(referer, "Referers")),
                pathPatterns: list(field(referer, "PathPatterns"))
              }
            })
      }
    }
  }),
  /** Uploads a certificate and its private key to the subscription (checked first: they parse, pair, are valid). */
  uploadCertificate: call({
    method: "POST",
    path: "/subscriptions/{subscriptionId}/https/certificates",
    permission: "manage",
    summary: "upload an HTTPS certificate",
    input: UploadCertificateInput,
    body: uploadBody,
    success: Certificate,
    fromRequest: ({ params, body }) => {
      const name = field(body, "CertificateName") ?? field(body, "Name")
      return {
        ...params,
        certificate: field(body, "PublicCertificate"),
        privateKey: field(body, "PrivateKey"),
        ...(name === undefined ? {} : { name })
      }
    }
  }),
  /** Binds an uploaded certificate to an endpoint (202: follow the operation). */
  bindCertificate: call({
    method: "POST",
    path: "/subscriptions/{subscriptionId}/https/bindings",
    permission: "manage",
    summary: "bind a certificate to an endpoint",
    input: BindCertificateInput,
    body: bindBody,
    success: AsyncResult,
    fromRequest: ({ params, body }) => ({
      ...params,
      endpointId: field(body, "EndpointId"),
      certificateId: field(body, "CertificateId"),
      ...(field(body, "OriginProtocol") === undefined ? {} : { originProtocol: field(body, "OriginProtocol") }),
      ...(field(body, "AutoHttpsRedirect") === undefined
        ? {}
        : { autoHttpsRedirect: bool(field(body, "AutoHttpsRedirect")) })
    })
  })
} as const

export type Calls = typeof calls
export type CallName = keyof Calls

/** What the caller gives to a call. */
export type InputOf<C> = C extends Call<infer In, infer _V, infer _O> ? In : never
/** What a call answers, decoded. */
export type OutputOf<C> = C extends Call<infer _I, infer _V, infer Out> ? Out : never

// Each call's path template, split once: a path is built for every request.
const templates = new Map<string, ReadonlyArray<string>>()

/** The path of a call, its `{name}` placeholders filled from the checked input. */
export const pathOf = (call: AnyCall, input: Readonly<Record<string, unknown>>): string => {
  let parts = templates.get(call.path)
  if (parts === undefined) {
    parts = call.path.split(/\{(\w+)\}/)
    templates.set(call.path, parts)
  }
  // Literal text at even indexes, placeholder names at odd ones.
  let path = parts[0] as string
  for (let i = 1; i < parts.length; i += 2) {
    path += encodeURIComponent(String(input[parts[i] as string])) + (parts[i + 1] as string)
  }
  return path
}

/** A call recognised from a request's method and path. */
export interface Match {
  readonly name: CallName
  readonly call: AnyCall
  /** The path's placeholders, as sent (still percent-encoded). */
  readonly params: Readonly<Record<string, string>>
}

const routes = Object.entries(calls).map(([name, call]) => {
  const names: Array<string> = []
  const pattern = call.path.replace(/\{(\w+)\}/g, (_, param: string) => {
    names.push(param)
    return "([^/]+)"
  })
  return { name: name as CallName, call: call as AnyCall, names, regex: new RegExp(`^${pattern}$`) }
})

/** The methods some call answers at `path` (for a 405's `Allow`); empty when no call has that path. */
export const methodsAt = (path: string): ReadonlyArray<string> =>
  routes.filter((route) => route.regex.test(path)).map((route) => route.call.method)

/**
 * The call at `method` and `path` (without query); `"method"` when the path is a call's but the method is not,
 * undefined when no call has that path.
 */
export const match = (method: string, path: string): Match | "method" | undefined => {
  let pathKnown = false
  for (const route of routes) {
    const found = route.regex.exec(path)
    if (found === null) continue
    if (route.call.method !== method.toUpperCase()) {
      pathKnown = true
      continue
    }
    const params: Record<string, string> = {}
    route.names.forEach((param, i) => {
      params[param] = found[i + 1] as string
    })
    return { name: route.name, call: route.call, params }
  }
  return pathKnown ? "method" : undefined
}
