/**
 * The emulated service's API: verifies each request, injects faults, and answers like the service.
 */
import { randomUUID } from "node:crypto"
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as CdnApi from "@org/cdn-core/CdnApi"
import { errorResponse, httpStatusOf, isServiceErrorType } from "@org/cdn-core/ErrorInfo"
import * as Wire from "@org/cdn-core/Wire"
import { Effect, Either, Schema } from "effect"
import { type Answer, failure, json } from "./Answer.js"
import { Emulator, type EmulatorState, now } from "./Emulator.js"
import type { EmulatorKey } from "./EmulatorOptions.js"
import type { RequestLogEntry } from "./RequestLog.js"
import { type CallRequest, handlers } from "./Routes.js"
import type { StoredEndpoint } from "./Store.js"
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

// What a gateway in front of the service shows when it fails: a page, not JSON.
const htmlPage = (status: number) => {
  // node:http is loaded when a page is made, not at import: the CLI's startup snapshot holds this module.
  const title = `${status} ${process.getBuiltinModule("node:http").STATUS_CODES[status] ?? "Server Error"}`
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

/** The largest payload read; a certificate chain fits many times over. */
export const maxBodyBytes = 1024 * 1024

// The payload's bytes, unless it is larger than the limit (then undefined); an unreadable one reads as empty.
const readBytes = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Uint8Array | undefined> => {
  const declared = Number(request.headers["content-length"] ?? 0)
  if (declared > maxBodyBytes) return Effect.succeed(undefined)
  return request.arrayBuffer.pipe(
    Effect.map((buffer) => (buffer.byteLength > maxBodyBytes ? undefined : new Uint8Array(buffer))),
    Effect.orElseSucceed(() => new Uint8Array())
  )
}

/** A request once it is known to be signed by a valid key. */
interface Verified {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  /** The query as sent, for the call's own reading of it. */
  readonly rawQuery: string
  readonly contentType: string | undefined
  /** The payload's bytes; read only for a call that takes one. */
  readonly bytes: () => Effect.Effect<Uint8Array | undefined>
  readonly key: EmulatorKey
}

// Path, parameters, permissions and resources, then the call's own handler.
const route = (emulator: EmulatorState, request: Verified, at: number): Effect.Effect<Answer> =>
  Effect.gen(function* () {
    const found = CdnApi.match(request.method, request.path)
    if (found === undefined) return failure("ParameterInvalid", `No API at ${request.path}.`, 404)
    if (found === "method") return failure("ParameterInvalid", `Method ${request.method} is not allowed here.`, 405)
    const { call, name, params } = found
    if (call.method !== "GET" && request.key.readOnly) {
      return failure("PermissionDenied", "This key is read-only: it may not change anything.")
    }
    const version = request.query.apiVersion
    if (version === undefined) return failure("ParameterMissing", "Query parameter apiVersion is missing.")
    if (version !== "1.0") return failure("ParameterInvalid", `apiVersion '${version}' is not supported; use 1.0.`)
    const ids: Record<string, string> = {}
    for (const [param, raw] of Object.entries(params)) {
      const id = safeDecode(raw)
      if (!guid.test(id)) return failure("ParameterInvalid", `${param} '${id}' is not a valid GUID.`)
      ids[param] = id.toLowerCase()
    }
    const subscriptionId = ids.subscriptionId as string
    const allowed = request.key.subscriptions
    if (allowed !== undefined && !allowed.some((sub) => sub.toLowerCase() === subscriptionId)) {
      return failure("PermissionDenied", `This key may not access subscription ${subscriptionId}.`)
    }
    let body: unknown
    if (call.payload !== undefined) {
      if (!/^application\/json\b/i.test(request.contentType ?? "")) {
        return failure("ParameterInvalid", "Content-Type must be application/json.", 415)
      }
      const bytes = yield* request.bytes()
      if (bytes === undefined) return failure("ParameterInvalid", `The body is larger than ${maxBodyBytes} bytes.`, 413)
      const json = Wire.readJson(bytes)
      if (Either.isLeft(json)) return failure(json.left.type, json.left.message)
      body = json.right
    }
    // The query and the body read with the call's own schemas, strictly, as the service's binder would.
    const input = CdnApi.readRequest(call, { params: ids, query: request.rawQuery, body })
    if (Either.isLeft(input)) return failure(input.left.type, input.left.message)
    const store = emulator.store
    let endpoint: StoredEndpoint | undefined
    if (ids.endpointId === undefined) {
      if (!store.hasSubscription(subscriptionId)) {
        return failure("SubscriptionNotFound", `Subscription ${subscriptionId} does not exist.`)
      }
    } else {
      const lookup = store.findEndpoint(subscriptionId, ids.endpointId, at)
      switch (lookup.found) {
        case "none":
          return lookup.missing === "SubscriptionNotFound"
            ? failure("SubscriptionNotFound", `Subscription ${subscriptionId} does not exist.`)
            : failure("EndpointNotFound", `Endpoint ${ids.endpointId} does not exist.`)
        case "elsewhere":
          return failure(
            "EndpointDoesNotBelongToSubscription",
            `Endpoint ${ids.endpointId} does not belong to subscription ${subscriptionId}.`
          )
        case "endpoint":
          endpoint = lookup.endpoint
      }
    }
    const handle = handlers[name] as (request: CallRequest<unknown>) => Answer
    return handle({ emulator, at, subscriptionId, endpoint, ids, input: input.right })
  })

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
      options.dateWindowMs,
      emulator.store.revokedKeys
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
        correlationId,
        userAgent: request.headers["user-agent"] ?? null
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
              : yield* route(
                  emulator,
                  {
                    method: request.method,
                    path,
                    query,
                    rawQuery,
                    contentType: request.headers["content-type"],
                    bytes: () => readBytes(request),
                    key: verdict.key
                  },
                  at
                )

    const truncated = plan.truncate && answer.status >= 200 && answer.status < 300
    record({ status: answer.status, outcome: truncated ? "truncate" : answer.outcome })
    const body = truncated ? answer.body.slice(0, Math.floor(answer.body.length / 2)) : answer.body
    return HttpServerResponse.text(body, {
      status: answer.status,
      contentType: answer.contentType,
      // `date` is the emulator's clock, which a client may use to correct its own.
      headers: { "x-correlation-id": correlationId, date: new Date(at).toUTCString(), ...answer.headers }
    })
  })
