/**
 * One attempt on the wire, as the client needs it: a request out, a status, headers and the whole body back, within
 * a time limit. Smaller than `HttpClient`, so that a hot path (the proxy) can use a transport with less per call.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Context, Duration, Effect, Layer } from "effect"
import { RequestTimeout, TransportError } from "./Errors.js"

/** The methods the API uses. */
export type Method = "GET" | "POST" | "PUT" | "DELETE"

/** What one attempt sends: the signature is already among the headers. */
export interface TransportRequest {
  readonly method: Method
  /** Absolute, with its query. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** The JSON text of a write's payload; absent for GET, DELETE, enable and disable. */
  readonly body?: string
}

/** What one attempt got back. Header names are lower case. */
export interface TransportResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
}

export interface TransportShape {
  /** Sends one request; fails with `RequestTimeout` when the whole answer took longer than `timeoutMs`. */
  readonly send: (
    request: TransportRequest,
    timeoutMs: number
  ) => Effect.Effect<TransportResponse, TransportError | RequestTimeout>
}

/** The transport, as a service. */
export class Transport extends Context.Tag("@org/cdn-core/Transport")<Transport, TransportShape>() {}

/** The error for an attempt that did not answer in time. */
export const timedOut = (request: TransportRequest, timeoutMs: number): RequestTimeout =>
  new RequestTimeout({
    method: request.method,
    url: request.url,
    timeoutMs,
    message: `no answer from ${request.url} within ${Duration.format(Duration.millis(timeoutMs))}`
  })

/** The error for an attempt that got no (complete) answer; `code` is the socket's (ECONNREFUSED, ECONNRESET). */
export const unreachable = (request: TransportRequest, why: string, code?: string): TransportError =>
  new TransportError({
    method: request.method,
    url: request.url,
    message: `could not reach ${request.url}: ${why}`,
    ...(code === undefined ? {} : { code })
  })

// undici hides the socket error under `cause`; its code (ECONNREFUSED, ECONNRESET) is what a person can act on.
const codeOf = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined
  const inner = cause.cause instanceof Error ? cause.cause : undefined
  const code = (inner as { code?: unknown } | undefined)?.code ?? (cause as { code?: unknown }).code
  return typeof code === "string" ? code : undefined
}

export const describeCause = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  const code = codeOf(cause)
  const message = cause.cause instanceof Error ? cause.cause.message : cause.message
  return code === undefined ? message : `${code} (${message})`
}

/** The transport error for a failure `cause` of `request`, keeping the socket's code. */
export const failedWith = (request: TransportRequest, cause: unknown): TransportError =>
  unreachable(request, describeCause(cause), codeOf(cause))

const toHttpClientRequest = (request: TransportRequest): HttpClientRequest.HttpClientRequest => {
  const plain = HttpClientRequest.make(request.method)(request.url, { headers: request.headers })
  return request.body === undefined ? plain : HttpClientRequest.bodyText(plain, request.body, "application/json")
}

/** Any `HttpClient` as a transport (the emulator in-process, fetch): the general path, with Effect's own timeout. */
export const fromHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.map(HttpClient.HttpClient, (http) => ({
    send: (request, timeoutMs) =>
      http.execute(toHttpClientRequest(request)).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.text, (body) => ({ status: response.status, headers: response.headers, body }))
        ),
        Effect.catchTags({
          RequestError: (error) => Effect.fail(failedWith(request, error.cause)),
          ResponseError: (error) =>
            Effect.fail(unreachable(request, `the answer broke off (HTTP ${error.response.status})`))
        }),
        Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => timedOut(request, timeoutMs) })
      )
  }))
)
