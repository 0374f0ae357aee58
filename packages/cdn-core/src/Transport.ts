/**
 * One attempt on the wire, as the client needs it: a request out, a status, headers and the whole body back, within
 * a time limit. Smaller than `HttpClient`, so that a hot path (the proxy) can use a transport with less per call.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Context, Duration, Effect, Layer } from "effect"
import { RequestTimeout, TransportError } from "./Errors.js"

/** What one attempt sends: the signature is already among the headers. */
export interface TransportRequest {
  readonly method: "GET"
  /** Absolute, with its query. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
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

/** The error for an attempt that got no (complete) answer. */
export const unreachable = (request: TransportRequest, why: string): TransportError =>
  new TransportError({ method: request.method, url: request.url, message: `could not reach ${request.url}: ${why}` })

// undici hides the socket error under `cause`; its code (ECONNREFUSED, ECONNRESET) is what a person can act on.
export const describeCause = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  const inner = cause.cause instanceof Error ? cause.cause : undefined
  const code = (inner as { code?: unknown } | undefined)?.code ?? (cause as { code?: unknown }).code
  const message = inner?.message ?? cause.message
  return typeof code === "string" ? `${code} (${message})` : message
}

/** Any `HttpClient` as a transport (the emulator in-process, fetch): the general path, with Effect's own timeout. */
export const fromHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.map(HttpClient.HttpClient, (http) => ({
    send: (request, timeoutMs) =>
      http.execute(HttpClientRequest.get(request.url, { headers: request.headers })).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.text, (body) => ({ status: response.status, headers: response.headers, body }))
        ),
        Effect.catchTags({
          RequestError: (error) => Effect.fail(unreachable(request, describeCause(error.cause))),
          ResponseError: (error) =>
            Effect.fail(unreachable(request, `the answer broke off (HTTP ${error.response.status})`))
        }),
        Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => timedOut(request, timeoutMs) })
      )
  }))
)
