/**
 * The emulated service's API: verifies each request, injects faults, and answers like the service.
 */
import { randomUUID } from "node:crypto"
import { STATUS_CODES } from "node:http"
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { errorResponse, httpStatusOf, isServiceErrorType, type ServiceErrorType } from "@org/cdn-core/ErrorInfo"
import { Effect, Schema } from "effect"
import { Emulator, type EmulatorState, now } from "./Emulator.js"
import type { RequestLogEntry } from "./RequestLog.js"
import { operationJson } from "./Store.js"
import { verify } from "./Verifier.js"

/** The emulator was told to drop this connection: the server resets the socket, in-process it fails the call. */
export class ConnectionDropped extends Schema.TaggedError<ConnectionDropped>()("ConnectionDropped", {}) {}

/** Splits a request target into its raw path and raw query, whether or not it carries an origin. */
export const splitTarget = (url: string): { readonly path: string; readonly query: string } => {
  const start = url.startsWith("/") ? 0 : url.indexOf("/", url.indexOf("//") + 2)
  const target = start < 0 ? "/" : url.slice(start)
  const q = target.indexOf("?")
  return q < 0 ? { path: target, query: "" } : { path: target.slice(0, q), query: target.slice(q + 1) }
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const operationRoute = /^\/subscriptions\/([^/]+)\/endpoints\/([^/]+)\/operations\/([^/]+)$/

// What a gateway in front of the service shows when it fails: a page, not JSON.
const htmlPage = (status: number) => {
  const title = `${status} ${STATUS_CODES[status] ?? "Server Error"}`
  return `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>gateway</center></body></html>`
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const firstValues = (query: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(query)) if (!(name in out)) out[name] = value
  return out
}

interface Answer {
  readonly status: number
  readonly body: string
  readonly contentType: string
  readonly outcome: string
  readonly headers?: Record<string, string>
}

const json = (status: number, value: unknown, outcome: string): Answer => ({
  status,
  body: JSON.stringify(value),
  contentType: "application/json; charset=utf-8",
  outcome
})

const failure = (type: ServiceErrorType, message: string, status = httpStatusOf(type)): Answer =>
  json(status, errorResponse(type, message), type)

// Path, parameters and resources, once the request is known to be signed by a valid key.
const route = (
  emulator: EmulatorState,
  method: string,
  path: string,
  query: Record<string, string>,
  allowed: ReadonlyArray<string> | undefined,
  at: number
): Answer => {
  const match = operationRoute.exec(path)
  if (match === null) return failure("ParameterInvalid", `No API at ${path}.`, 404)
  if (method !== "GET") return failure("ParameterInvalid", `Method ${method} is not allowed here.`, 405)
  const version = query.apiVersion
  if (version === undefined) return failure("ParameterMissing", "Query parameter apiVersion is missing.")
  if (version !== "1.0") return failure("ParameterInvalid", `apiVersion '${version}' is not supported; use 1.0.`)
  const [, s, e, o] = match as unknown as [string, string, string, string]
  const names = ["subscriptionId", "endpointId", "operationId"] as const
  const ids = [s, e, o].map(safeDecode)
  const bad = ids.findIndex((id) => !guid.test(id))
  if (bad >= 0) return failure("ParameterInvalid", `${names[bad]} '${ids[bad]}' is not a valid GUID.`)
  const [subscriptionId, endpointId, operationId] = ids.map((id) => id.toLowerCase()) as [string, string, string]
  if (allowed !== undefined && !allowed.some((sub) => sub.toLowerCase() === subscriptionId)) {
    return failure("PermissionDenied", `This key may not access subscription ${subscriptionId}.`)
  }
  const found = emulator.store.find(subscriptionId, endpointId, operationId)
  switch (found.found) {
    case "operation":
      return json(200, operationJson(found.operation, at, emulator.options.succeededSpelling), "ok")
    case "elsewhere":
      return failure(
        "EndpointDoesNotBelongToSubscription",
        `Endpoint ${endpointId} does not belong to subscription ${subscriptionId}.`
      )
    case "inactive":
      return failure("EndpointNotInActiveState", `Endpoint ${endpointId} is not in active state.`)
    case "none":
      if (found.missing === "SubscriptionNotFound") {
        return failure("SubscriptionNotFound", `Subscription ${subscriptionId} does not exist.`)
      }
      if (found.missing === "EndpointNotFound")
        return failure("EndpointNotFound", `Endpoint ${endpointId} does not exist.`)
      return failure("ParameterInvalid", `Operation ${operationId} was not found.`, 404)
  }
}

/** Answers one API request. Fails with `ConnectionDropped` when a drop fault fires. */
export const handleApi = (
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionDropped, Emulator> =>
  Effect.gen(function* () {
    const emulator = yield* Emulator
    const { options } = emulator
    const { path, query: rawQuery } = splitTarget(request.url)
    const query = firstValues(rawQuery)
    const at = yield* now(emulator)
    const correlationId = randomUUID()
    const date = request.headers["x-azurecdn-request-date"]
    const verdict = verify(
      { method: request.method, rawPath: path, rawQuery, date, authorization: request.headers.authorization },
      options.keys,
      options.verification,
      at,
      options.dateWindowMs
    )
    const plan = emulator.faults.next()

    const record = (answer: Pick<Answer, "status" | "outcome">) => {
      const entry: RequestLogEntry = {
        at: new Date(at).toISOString(),
        method: request.method,
        path,
        query,
        date: date ?? null,
        keyId: verdict.ok ? verdict.key.id : (verdict.keyId ?? null),
        signatureValid: verdict.ok,
        status: answer.status,
        outcome: answer.outcome,
        correlationId
      }
      emulator.log.add(entry)
    }

    if (plan.latencyMs > 0) {
      // A caller that gives up while the emulator dawdles still reached it: the log must say so. On a port the
      // app runs uninterruptibly (@effect/platform's HttpApp), so the wait opts in to the client's abort.
      yield* Effect.sleep(plan.latencyMs).pipe(
        Effect.interruptible,
        Effect.onInterrupt(() => Effect.sync(() => record({ status: 0, outcome: "abandoned" })))
      )
    }

    if (plan.drop) {
      record({ status: 0, outcome: "drop" })
      return yield* new ConnectionDropped()
    }
    const answer: Answer =
      plan.html !== undefined
        ? { status: plan.html, body: htmlPage(plan.html), contentType: "text/html", outcome: "html" }
        : plan.throttle !== undefined
          ? {
              ...failure("RequestThrottled", "Request throttled."),
              ...(plan.throttle.retryAfterSeconds === undefined
                ? {}
                : { headers: { "retry-after": String(plan.throttle.retryAfterSeconds) } })
            }
          : plan.error !== undefined
            ? json(
                plan.error.status ?? (isServiceErrorType(plan.error.type) ? httpStatusOf(plan.error.type) : 500),
                errorResponse(plan.error.type, plan.error.message ?? `Injected ${plan.error.type}.`),
                plan.error.type
              )
            : !verdict.ok
              ? failure(verdict.type, verdict.message)
              : route(emulator, request.method, path, query, verdict.key.subscriptions, at)

    const truncated = plan.truncate && answer.status === 200
    record({ status: answer.status, outcome: truncated ? "truncate" : answer.outcome })
    const body = truncated ? answer.body.slice(0, Math.floor(answer.body.length / 2)) : answer.body
    return HttpServerResponse.text(body, {
      status: answer.status,
      contentType: answer.contentType,
      // `date` is the emulator's clock, which a client may use to correct its own.
      headers: { "x-correlation-id": correlationId, date: new Date(at).toUTCString(), ...answer.headers }
    })
  })
