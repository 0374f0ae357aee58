/**
 * The API's calls described once: method, path, who may make it, what the caller gives, what goes on the wire,
 * what comes back. `CdnClient` derives a typed method from each; the emulator and the proxy route by them.
 * Adding a call is one entry here.
 */
import { Effect, Either, type ParseResult, Schema } from "effect"
import { AcceptedAnswer } from "./AsyncResult.js"
import {
  AccessControl,
  AccessControlInput,
  AccessControlPayload,
  CachePolicy,
  CachePolicyInput,
  CachePolicyPayload
} from "./Configuration.js"
import {
  PreloadInput,
  PreloadPayload,
  PreloadRef,
  PreloadResult,
  PurgeInput,
  PurgePayload,
  PurgeRef,
  PurgeResult
} from "./Content.js"
import {
  CreateEndpointInput,
  CreateEndpointPayload,
  Endpoint,
  EndpointList,
  EndpointRef,
  SubscriptionRef,
  UpdateEndpointInput,
  UpdateEndpointPayload
} from "./Endpoints.js"
import { InvalidInput } from "./Errors.js"
import {
  BindCertificateInput,
  BindCertificatePayload,
  Certificate,
  UploadCertificateInput,
  UploadCertificatePayload,
  validityProblem
} from "./Https.js"
import { anyCase } from "./internal/lenient.js"
import { Operation, OperationRef } from "./Operation.js"
import {
  BandwidthQuery,
  EndpointBandwidth,
  EndpointBandwidthInput,
  EndpointVolume,
  EndpointVolumeInput,
  SubscriptionVolume,
  SubscriptionVolumeInput,
  VolumeQuery
} from "./Traffic.js"
import type { Method } from "./Transport.js"
import { type RequestRefused, refusalOf, refused } from "./Wire.js"

/** The API version every call carries. */
export const apiVersion = "1.0"

/**
 * What a caller needs to make a call (the proxy's token permissions): `read` for every GET, `purge` for purge and
 * preload, `manage` for changing endpoints.
 */
export type Permission = "read" | "purge" | "manage"

/** One call of the API. */
export interface Call<In, Valid, Out> {
  readonly method: Method
  /** The path, with `{name}` filled from the checked input, e.g. `/subscriptions/{subscriptionId}/endpoints`. */
  readonly path: string
  readonly permission: Permission
  /** One line for a person: what the call does. */
  readonly summary: string
  /** Checks and normalises what a caller of the library gives (GUIDs lower-cased, URLs and ranges checked). */
  readonly input: Schema.Schema<Valid, In>
  /**
   * The JSON body of a write, both ways: the client encodes it from the checked input, and whoever receives one (the
   * proxy, the emulator, the CLI's files) decodes it with the same schema, strictly (see `Wire`).
   */
  readonly payload?: Schema.Schema<unknown, unknown>
  /** The query besides `apiVersion`, both ways, as for `payload`. */
  readonly query?: Schema.Schema<unknown, Readonly<Record<string, string>>>
  /** A check of the input that reads the clock (a certificate's validity), made before anything is sent. */
  readonly check?: (input: Valid) => Effect.Effect<void, InvalidInput>
  /** Reads a 2xx answer, its keys in any case. */
  readonly success: Schema.Schema<Out, unknown>
}

/** Any call, for code that handles them all alike (routing, permissions). */
// biome-ignore lint/suspicious/noExplicitAny: the table holds calls of every input and output type.
export type AnyCall = Call<any, any, any>

const call = <In, Valid, Out, OutI, Payload, PayloadI, Query, QueryI extends Readonly<Record<string, string>>>(
  description: Omit<Call<In, Valid, Out>, "success" | "payload" | "query"> & {
    readonly success: Schema.Schema<Out, OutI>
    readonly payload?: Schema.Schema<Payload, PayloadI>
    readonly query?: Schema.Schema<Query, QueryI>
  }
): Call<In, Valid, Out> =>
  ({
    ...description,
    // Every answer is read through the one reader: keys in any case, both published spellings.
    success: anyCase(description.success)
  }) as unknown as Call<In, Valid, Out>

// A certificate expired or not yet valid is refused on the caller's clock (Effect's, so tests can set it).
const checkValidity = (input: { readonly certificate: string }) =>
  Effect.flatMap(
    Effect.clockWith((clock) => clock.currentTimeMillis),
    (now) => {
      const problem = validityProblem(input.certificate, now)
      return problem === undefined
        ? Effect.void
        : Effect.fail(new InvalidInput({ field: "certificate", message: problem }))
    }
  )

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
    payload: CreateEndpointPayload,
    success: Endpoint
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
    payload: UpdateEndpointPayload,
    success: AcceptedAnswer
  }),
  /** Deletes an endpoint (202: follow the operation). */
  deleteEndpoint: call({
    method: "DELETE",
    path: endpoint,
    permission: "manage",
    summary: "delete an endpoint",
    input: EndpointRef,
    success: AcceptedAnswer
  }),
  /** Starts serving (202: follow the operation). */
  enableEndpoint: call({
    method: "POST",
    path: `${endpoint}/enable`,
    permission: "manage",
    summary: "enable an endpoint",
    input: EndpointRef,
    success: AcceptedAnswer
  }),
  /** Stops serving (202: follow the operation). */
  disableEndpoint: call({
    method: "POST",
    path: `${endpoint}/disable`,
    permission: "manage",
    summary: "disable an endpoint",
    input: EndpointRef,
    success: AcceptedAnswer
  }),
  /** Purges files and directories from the CDN's caches; `taskTrackId` is the purge id and the operation id. */
  purge: call({
    method: "POST",
    path: `${endpoint}/purges`,
    permission: "purge",
    summary: "purge files and directories",
    input: PurgeInput,
    payload: PurgePayload,
    success: AcceptedAnswer
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
    payload: PreloadPayload,
    success: AcceptedAnswer
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
    query: VolumeQuery,
    success: EndpointVolume
  }),
  /** An endpoint's bandwidth (Mbps) over the range, with peaks and valleys. */
  getEndpointBandwidth: call({
    method: "GET",
    path: `${endpoint}/bandwidth`,
    permission: "read",
    summary: "an endpoint's bandwidth",
    input: EndpointBandwidthInput,
    query: BandwidthQuery,
    success: EndpointBandwidth
  }),
  /** A subscription's volume: one series per domain, and totals. */
  getSubscriptionVolume: call({
    method: "GET",
    path: "/subscriptions/{subscriptionId}/volume",
    permission: "read",
    summary: "a subscription's traffic volume, per domain",
    input: SubscriptionVolumeInput,
    query: VolumeQuery,
    success: SubscriptionVolume
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
    payload: CachePolicyPayload,
    success: AcceptedAnswer
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
    payload: AccessControlPayload,
    success: AcceptedAnswer
  }),
  /** Uploads a certificate and its private key to the subscription (checked first: they parse, pair, are valid). */
  uploadCertificate: call({
    method: "POST",
    path: "/subscriptions/{subscriptionId}/https/certificates",
    permission: "manage",
    summary: "upload an HTTPS certificate",
    input: UploadCertificateInput,
    payload: UploadCertificatePayload,
    check: checkValidity,
    success: Certificate
  }),
  /** Binds an uploaded certificate to an endpoint (202: follow the operation). */
  bindCertificate: call({
    method: "POST",
    path: "/subscriptions/{subscriptionId}/https/bindings",
    permission: "manage",
    summary: "bind a certificate to an endpoint",
    input: BindCertificateInput,
    payload: BindCertificatePayload,
    success: AcceptedAnswer
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

/** A call's input once checked: what the client sends, and what a server reading a request gets. */
export type ValidOf<C> = C extends Call<infer _I, infer Valid, infer _O> ? Valid : never

/** A request as it arrives at a server. */
export interface ReceivedRequest {
  /** The path's placeholders (`subscriptionId`, `endpointId`, …), as `match` found them. */
  readonly params: Readonly<Record<string, string>>
  /** The query as sent, without its `?`. */
  readonly query: string
  /** The JSON body (`Wire.readJson`); undefined when the request had none. */
  readonly body: unknown
}

interface Readers {
  readonly input: (value: unknown) => Either.Either<unknown, ParseResult.ParseError>
  readonly payload: ((value: unknown) => Either.Either<unknown, ParseResult.ParseError>) | undefined
  readonly query: ((value: unknown) => Either.Either<unknown, ParseResult.ParseError>) | undefined
}

const readers = new Map<AnyCall, Readers>()
const readersOf = (call: AnyCall): Readers => {
  let found = readers.get(call)
  if (found === undefined) {
    const options = { errors: "first" } as const
    found = {
      input: Schema.decodeUnknownEither(call.input, options),
      payload: call.payload === undefined ? undefined : Schema.decodeUnknownEither(call.payload, options),
      query: call.query === undefined ? undefined : Schema.decodeUnknownEither(call.query, options)
    }
    readers.set(call, found)
  }
  return found
}

// Every string in a body held under a private key's name, or that holds a PEM key: never repeated in a refusal.
const secretsIn = (value: unknown, key = ""): Array<string> => {
  if (typeof value === "string") return /privatekey/i.test(key) || value.includes("PRIVATE KEY") ? [value] : []
  if (Array.isArray(value)) return value.flatMap((item) => secretsIn(item, key))
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([name, inner]) => secretsIn(inner, name))
  }
  return []
}

// The query's pairs besides apiVersion, each name once (in any case).
const queryPairs = (query: string): Either.Either<Record<string, string>, RequestRefused> => {
  const out: Record<string, string> = {}
  const seen = new Set<string>()
  for (const [name, value] of new URLSearchParams(query)) {
    const lower = name.toLowerCase()
    if (lower === "apiversion") continue
    if (seen.has(lower)) {
      return Either.left(refused("ParameterInvalid", name, `${name}: is given twice in the query`))
    }
    seen.add(lower)
    out[name] = value
  }
  return Either.right(out)
}

/**
 * The call's input read strictly from a request in the service's own shape (what the proxy, the emulator and the
 * CLI's files receive): the query and the body decoded with the call's own schemas, then the whole checked as the
 * client checks it. Anything that cannot be read exactly is refused naming the field; a private key is never repeated.
 */
export const readRequest = <C extends AnyCall>(
  call: C,
  request: ReceivedRequest
): Either.Either<ValidOf<C>, RequestRefused> => {
  const read = readersOf(call)
  const refuse = (error: ParseResult.ParseError) => Either.left(refusalOf(error, secretsIn(request.body)))
  const pairs = queryPairs(request.query)
  if (Either.isLeft(pairs)) return Either.left(pairs.left)
  let fromQuery: unknown = {}
  if (read.query !== undefined) {
    const decoded = read.query(pairs.right)
    if (Either.isLeft(decoded)) return refuse(decoded.left)
    fromQuery = decoded.right
  } else {
    const [extra] = Object.keys(pairs.right)
    if (extra !== undefined) {
      return Either.left(refused("ParameterInvalid", extra, `${extra}: is not a query parameter this call takes`))
    }
  }
  let fromBody: unknown = {}
  if (read.payload !== undefined) {
    if (request.body === undefined) return Either.left(refused("ParameterMissing", "body", "body: is missing"))
    const decoded = read.payload(request.body)
    if (Either.isLeft(decoded)) return refuse(decoded.left)
    fromBody = decoded.right
  } else if (request.body !== undefined) {
    return Either.left(refused("ParameterInvalid", "body", "body: this call takes none"))
  }
  const input = read.input({ ...request.params, ...(fromQuery as object), ...(fromBody as object) })
  return Either.isLeft(input) ? refuse(input.left) : Either.right(input.right as ValidOf<C>)
}
