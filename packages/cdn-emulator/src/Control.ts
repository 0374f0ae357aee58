/**
 * The unsigned control API under `/_emulator/`: create operations, endpoints and subscriptions, make purged or
 * preloaded URLs fail, revoke keys, read the request log, set faults and the clock, reset.
 */
import { randomUUID } from "node:crypto"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { ServiceTypes } from "@org/cdn-core/Endpoints"
import { EndpointId, OperationId, SubscriptionId } from "@org/cdn-core/Ids"
import { Effect, ParseResult, Schema } from "effect"
import { Emulator, now, reset } from "./Emulator.js"
import { FaultSettings } from "./Faults.js"
import { operationJson, placeholderSettings } from "./Store.js"

/** `POST /_emulator/operations` */
export const CreateOperation = Schema.Struct({
  SubscriptionId,
  EndpointId,
  Id: Schema.optional(OperationId),
  Type: Schema.optionalWith(Schema.String, { default: () => "Purge" }),
  FinalStatus: Schema.optionalWith(Schema.Literal("Succeeded", "Failed"), { default: () => "Succeeded" as const }),
  /** How long it reads as Processing. */
  DurationMs: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 0 }),
  /** How long it reads as NotSet before that. */
  QueuedMs: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 0 }),
  Message: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
})

/** `POST /_emulator/endpoints`: creates or sets an endpoint, ready at once; settings default to a placeholder. */
export const PutEndpoint = Schema.Struct({
  SubscriptionId,
  EndpointId,
  State: Schema.optionalWith(Schema.Literal("Active", "Stopped"), { default: () => "Active" as const }),
  CustomDomain: Schema.optional(Schema.NonEmptyString),
  Host: Schema.optional(Schema.NonEmptyString),
  OriginAddresses: Schema.optional(Schema.NonEmptyArray(Schema.NonEmptyString)),
  ICP: Schema.optional(Schema.NonEmptyString),
  ServiceType: Schema.optional(Schema.Literal(...ServiceTypes)),
  /** `Https` makes the endpoint one served over https only. */
  AllowedScheme: Schema.optional(Schema.Literal("Http", "Https", "HttpAndHttps"))
})

/** `POST /_emulator/subscriptions`: a subscription with no endpoints yet. */
export const PutSubscription = Schema.Struct({ SubscriptionId })

/** `PUT /_emulator/failures`: purged or preloaded URLs that fail, exactly or by prefix. */
export const SetFailures = Schema.Struct({
  Urls: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  Prefixes: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  /** Certificate bindings end Failed. */
  Bindings: Schema.optionalWith(Schema.Boolean, { default: () => false })
})

/** `PUT /_emulator/revoked-keys`: the key ids revoked (they answer `InvalidApiKey`); an empty list restores them. */
export const SetRevokedKeys = Schema.Struct({ KeyIds: Schema.Array(Schema.NonEmptyString) })

/** `PUT /_emulator/clock` */
export const SetClock = Schema.Struct({ OffsetMs: Schema.Int })

const problem = (status: number, error: string) => HttpServerResponse.unsafeJson({ error }, { status })

// One line per problem, with its path: the schema's full tree is too long to act on.
const describe = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.length === 0 ? "body" : issue.path.join(".")}: ${issue.message}`)
    .join("; ")

// A body that does not decode is the caller's mistake: 400 with what was wrong.
const body = <A, I>(schema: Schema.Schema<A, I>) =>
  HttpServerRequest.schemaBodyJson(schema).pipe(
    Effect.mapError((error) => (ParseResult.isParseError(error) ? describe(error) : "the body is not JSON"))
  )

const createOperation = Effect.gen(function* () {
  const emulator = yield* Emulator
  const input = yield* body(CreateOperation)
  if (!emulator.store.putEndpointIfAbsent(input.SubscriptionId, input.EndpointId)) {
    return problem(409, `endpoint ${input.EndpointId} belongs to another subscription`)
  }
  const createdAt = yield* now(emulator)
  const operation = {
    id: input.Id ?? randomUUID(),
    type: input.Type,
    subscriptionId: input.SubscriptionId,
    endpointId: input.EndpointId,
    createdAt,
    startsAt: createdAt + input.QueuedMs,
    endsAt: createdAt + input.QueuedMs + input.DurationMs,
    finalStatus: input.FinalStatus,
    message: input.Message
  }
  emulator.store.addOperation(operation)
  return HttpServerResponse.unsafeJson(operationJson(operation, createdAt, emulator.options.succeededSpelling), {
    status: 201
  })
})

const putEndpoint = Effect.gen(function* () {
  const emulator = yield* Emulator
  const input = yield* body(PutEndpoint)
  const { CustomDomain, Host, OriginAddresses, ICP, ServiceType, AllowedScheme } = input
  const given = [CustomDomain, Host, OriginAddresses, ICP, ServiceType, AllowedScheme].some(
    (value) => value !== undefined
  )
  const placeholder = placeholderSettings(input.EndpointId)
  const settings = given
    ? {
        customDomain: CustomDomain ?? placeholder.customDomain,
        host: Host ?? CustomDomain ?? placeholder.host,
        originAddresses: OriginAddresses ?? placeholder.originAddresses,
        icp: ICP ?? placeholder.icp,
        serviceType: ServiceType ?? placeholder.serviceType,
        ...(AllowedScheme === undefined ? {} : { allowedScheme: AllowedScheme })
      }
    : undefined
  if (!emulator.store.putEndpoint(input.SubscriptionId, input.EndpointId, input.State, settings)) {
    return problem(409, `endpoint ${input.EndpointId} belongs to another subscription`)
  }
  return HttpServerResponse.unsafeJson(input, { status: 201 })
})

const putSubscription = Effect.gen(function* () {
  const emulator = yield* Emulator
  const input = yield* body(PutSubscription)
  emulator.store.addSubscription(input.SubscriptionId)
  return HttpServerResponse.unsafeJson(input, { status: 201 })
})

const failuresJson = (emulator: typeof Emulator.Service) => ({
  Urls: [...emulator.store.failing.urls],
  Prefixes: [...emulator.store.failing.prefixes],
  Bindings: emulator.store.failing.bindings
})

const setFailures = Effect.gen(function* () {
  const emulator = yield* Emulator
  const input = yield* body(SetFailures)
  const { failing } = emulator.store
  failing.urls.clear()
  failing.prefixes.clear()
  for (const url of input.Urls) failing.urls.add(url)
  for (const prefix of input.Prefixes) failing.prefixes.add(prefix)
  failing.bindings = input.Bindings
  return HttpServerResponse.unsafeJson(failuresJson(emulator))
})

const setFaults = Effect.gen(function* () {
  const emulator = yield* Emulator
  emulator.faults.set(yield* body(FaultSettings))
  return HttpServerResponse.unsafeJson(emulator.faults.current)
})

const revokedJson = (emulator: typeof Emulator.Service) => ({ KeyIds: [...emulator.store.revokedKeys] })

const setRevokedKeys = Effect.gen(function* () {
  const emulator = yield* Emulator
  const { KeyIds } = yield* body(SetRevokedKeys)
  emulator.store.revokedKeys.clear()
  for (const id of KeyIds) emulator.store.revokedKeys.add(id)
  return HttpServerResponse.unsafeJson(revokedJson(emulator))
})

const setClock = Effect.gen(function* () {
  const emulator = yield* Emulator
  emulator.clockOffsetMs = (yield* body(SetClock)).OffsetMs
  return HttpServerResponse.unsafeJson({
    Now: new Date(yield* now(emulator)).toISOString(),
    OffsetMs: emulator.clockOffsetMs
  })
})

const withEmulator = <A>(f: (emulator: typeof Emulator.Service) => A) => Effect.map(Emulator, f)

/** The control routes. Bad input answers 400 with `{"error": "..."}`. */
export const controlRouter = HttpRouter.empty.pipe(
  HttpRouter.post("/_emulator/operations", createOperation),
  HttpRouter.post("/_emulator/endpoints", putEndpoint),
  HttpRouter.post("/_emulator/subscriptions", putSubscription),
  HttpRouter.get(
    "/_emulator/failures",
    withEmulator((e) => HttpServerResponse.unsafeJson(failuresJson(e)))
  ),
  HttpRouter.put("/_emulator/failures", setFailures),
  HttpRouter.del(
    "/_emulator/failures",
    withEmulator((e) => {
      e.store.failing.urls.clear()
      e.store.failing.prefixes.clear()
      e.store.failing.bindings = false
      return HttpServerResponse.empty({ status: 204 })
    })
  ),
  HttpRouter.get(
    "/_emulator/requests",
    withEmulator((e) => HttpServerResponse.unsafeJson(e.log.all()))
  ),
  HttpRouter.del(
    "/_emulator/requests",
    withEmulator((e) => {
      e.log.clear()
      return HttpServerResponse.empty({ status: 204 })
    })
  ),
  HttpRouter.get(
    "/_emulator/faults",
    withEmulator((e) => HttpServerResponse.unsafeJson(e.faults.current))
  ),
  HttpRouter.put("/_emulator/faults", setFaults),
  HttpRouter.del(
    "/_emulator/faults",
    withEmulator((e) => {
      e.faults.clear()
      return HttpServerResponse.empty({ status: 204 })
    })
  ),
  HttpRouter.get(
    "/_emulator/clock",
    Effect.flatMap(Emulator, (e) =>
      Effect.map(now(e), (at) =>
        HttpServerResponse.unsafeJson({ Now: new Date(at).toISOString(), OffsetMs: e.clockOffsetMs })
      )
    )
  ),
  HttpRouter.put("/_emulator/clock", setClock),
  HttpRouter.get(
    "/_emulator/revoked-keys",
    withEmulator((e) => HttpServerResponse.unsafeJson(revokedJson(e)))
  ),
  HttpRouter.put("/_emulator/revoked-keys", setRevokedKeys),
  HttpRouter.post(
    "/_emulator/reset",
    withEmulator((e) => {
      reset(e)
      return HttpServerResponse.empty({ status: 204 })
    })
  ),
  HttpRouter.catchAll((error) => Effect.succeed(problem(400, error)))
)

/** The control API as an app: an unknown control route answers 404. */
export const control = controlRouter.pipe(
  Effect.catchTag("RouteNotFound", () =>
    Effect.succeed(problem(404, "no such control route: see the emulator's README"))
  )
)
