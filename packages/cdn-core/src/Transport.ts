/**
 * One attempt on the wire, as the client needs it: a request out, a status, headers and the whole body back, within
 * a time limit. Smaller than `HttpClient`, so that a hot path (the proxy) can use a transport with less per call.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Context, Duration, Effect, type Either, Layer } from "effect"
import { RequestTimeout, TransportError } from "./Errors.js"
import * as Proxies from "./Proxies.js"
import { codingsOf, type Undecodable, unsupportedCoding } from "./ResponseBody.js"

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

/** How one attempt ended, as a callback gets it. */
export type Outcome = Either.Either<TransportResponse, TransportError | RequestTimeout>

/**
 * Sends one request and calls `done` once with its outcome; the function returned gives up on it (`done` is then
 * never called).
 */
export type Dispatch = (request: TransportRequest, timeoutMs: number, done: (outcome: Outcome) => void) => () => void

export interface TransportShape {
  /** Sends one request; fails with `RequestTimeout` when the whole answer took longer than `timeoutMs`. */
  readonly send: (
    request: TransportRequest,
    timeoutMs: number
  ) => Effect.Effect<TransportResponse, TransportError | RequestTimeout>
  /**
   * The same send on a callback, for a transport built on one: a caller that must not start a fiber per request (a
   * proxy) sends with it. Optional; `send` is what every transport has.
   */
  readonly dispatch?: Dispatch
}

/** A transport from its callback form: `send` runs `dispatch`, and interrupting it gives up on the request. */
export const fromDispatch = (dispatch: Dispatch): TransportShape => ({
  send: (request, timeoutMs) =>
    Effect.async<TransportResponse, TransportError | RequestTimeout>((resume) => {
      const giveUp = dispatch(request, timeoutMs, (outcome) => resume(outcome))
      return Effect.sync(giveUp)
    }),
  dispatch
})

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
export const unreachable = (
  request: TransportRequest,
  why: string,
  code?: string,
  answer?: { readonly status: number; readonly correlationId: string | undefined }
): TransportError =>
  new TransportError({
    method: request.method,
    url: request.url,
    message: `could not reach ${request.url}: ${why}`,
    ...(code === undefined ? {} : { code }),
    ...(answer === undefined ? {} : { status: answer.status }),
    ...(answer?.correlationId === undefined ? {} : { correlationId: answer.correlationId })
  })

// fetch and undici hide the socket error under `cause`; its code (ECONNREFUSED, ENOTFOUND) is what a person acts on.
const innermost = (
  cause: unknown
): { readonly code: string | undefined; readonly message: string; readonly name: string } => {
  const outer = cause instanceof Error ? cause : new Error(String(cause))
  const inner = outer.cause instanceof Error ? outer.cause : outer
  const code = (inner as { code?: unknown }).code ?? (outer as { code?: unknown }).code
  return { code: typeof code === "string" ? code : undefined, message: inner.message, name: inner.name }
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

const certificateCodes = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_TLS_CERT)/

/** What went wrong, for a person, without OpenSSL's or the parser's internals; and the code to decide on a retry. */
export const classify = (
  request: TransportRequest,
  cause: unknown
): { readonly code: string | undefined; readonly why: string } => {
  const { code, message, name } = innermost(cause)
  const host = hostOf(request.url)
  if (code === "ENOTFOUND")
    return { code, why: `the host ${host.replace(/:\d+$/, "")} could not be resolved (ENOTFOUND)` }
  if (code === "EAI_AGAIN")
    return { code, why: `the host ${host.replace(/:\d+$/, "")} could not be resolved just now (EAI_AGAIN)` }
  if (code?.startsWith("ERR_SSL_") || code === "EPROTO" || /wrong version number/i.test(message)) {
    return { code: "ERR_TLS_MISMATCH", why: `the server at ${host} did not answer TLS (is the base URL http://?)` }
  }
  if (code !== undefined && certificateCodes.test(code)) {
    return { code, why: `the TLS certificate of ${host} was refused (${code})` }
  }
  if (/^bad port$/i.test(message))
    return { code: "ERR_BAD_PORT", why: `the runtime refuses to connect to port ${host.split(":").pop()}` }
  if (code === "HPE_HEADER_OVERFLOW" || code === "UND_ERR_HEADERS_OVERFLOW" || /header overflow/i.test(message)) {
    return {
      code: "ERR_HEADERS_OVERFLOW",
      why: `the answer's headers from ${host} were larger than this client accepts (Node's limit, 16 KiB unless --max-http-header-size says otherwise)`
    }
  }
  if (name === "HTTPParserError" || code?.startsWith("HPE_") || /does not match the HTTP/i.test(message)) {
    return { code: "ERR_NOT_HTTP", why: `the server at ${host} did not answer HTTP` }
  }
  if (
    code?.startsWith("Z_") ||
    /incorrect header check|unexpected end of file|invalid (stored )?block/i.test(message)
  ) {
    return { code: "ERR_DECOMPRESSION", why: `the answer's body could not be decompressed (${message})` }
  }
  return { code, why: code === undefined ? message : `${code} (${message})` }
}

/** The transport error for a failure `cause` of `request`, keeping the socket's code. */
export const failedWith = (request: TransportRequest, cause: unknown): TransportError => {
  const { code, why } = classify(request, cause)
  return unreachable(request, why, code)
}

// The transport error for an answer that came (its status and correlation id kept) but could not be read whole.
const unreadableAnswer = (
  request: TransportRequest,
  status: number,
  correlationId: string | undefined,
  code: string,
  why: string
): TransportError =>
  new TransportError({
    method: request.method,
    url: request.url,
    message: `the answer from ${request.url} (HTTP ${status}) ${why}`,
    code,
    status,
    ...(correlationId === undefined ? {} : { correlationId })
  })

/**
 * The transport error for an answer whose body could not be decoded by its `Content-Encoding`: the same on every
 * transport (code `ERR_DECOMPRESSION`), with the answer's status and correlation id.
 */
export const undecodable = (
  request: TransportRequest,
  problem: Undecodable,
  status: number,
  correlationId: string | undefined
): TransportError =>
  unreadableAnswer(
    request,
    status,
    correlationId,
    "ERR_DECOMPRESSION",
    `could not be decompressed: ${problem.coding} (${problem.reason})`
  )

/** The transport error for an answer longer than a transport reads (`maxBodyBytes`). */
export const tooLong = (
  request: TransportRequest,
  maxBytes: number,
  status: number,
  correlationId: string | undefined
): TransportError =>
  unreadableAnswer(request, status, correlationId, "ERR_BODY_TOO_LONG", `is longer than ${maxBytes} bytes`)

/** The transport error for an answer whose body broke off (or would not decompress) after its headers. */
export const brokeOff = (
  request: TransportRequest,
  cause: unknown,
  status: number,
  correlationId: string | undefined,
  contentEncoding?: string
): TransportError => {
  const { code } = classify(request, cause)
  if (code === "ERR_DECOMPRESSION") {
    const coding = codingsOf(contentEncoding).at(-1) ?? "gzip"
    return undecodable(request, { coding, reason: innermost(cause).message }, status, correlationId)
  }
  return unreachable(request, `the answer broke off after HTTP ${status}`, code ?? "ECONNRESET", {
    status,
    correlationId
  })
}

const noRedirects: globalThis.RequestInit = { redirect: "manual" }

const toHttpClientRequest = (request: TransportRequest): HttpClientRequest.HttpClientRequest => {
  const plain = HttpClientRequest.make(request.method)(request.url, { headers: request.headers })
  return request.body === undefined ? plain : HttpClientRequest.bodyText(plain, request.body, "application/json")
}

// One attempt over an `HttpClient`, with Effect's own timeout.
const sendWith =
  (http: HttpClient.HttpClient): TransportShape["send"] =>
  (request, timeoutMs) =>
    http.execute(toHttpClientRequest(request)).pipe(
      // A redirect is never followed: fetch hands it back as it came, and the client refuses it.
      Effect.provideService(FetchHttpClient.RequestInit, noRedirects),
      Effect.flatMap((response) =>
        Effect.map(response.text, (body) => ({ status: response.status, headers: response.headers, body }))
      ),
      Effect.catchTags({
        RequestError: (error) => Effect.fail(failedWith(request, error.cause)),
        ResponseError: (error) =>
          Effect.fail(
            brokeOff(
              request,
              error.cause,
              error.response.status,
              error.response.headers["x-correlation-id"],
              error.response.headers["content-encoding"]
            )
          )
      }),
      // fetch decodes gzip, deflate and br itself and passes any other coding through: it is refused, as elsewhere.
      Effect.flatMap((response) => {
        const other = unsupportedCoding(response.headers["content-encoding"])
        return other === undefined
          ? Effect.succeed(response)
          : Effect.fail(
              undecodable(
                request,
                { coding: other, reason: "not one of gzip, deflate, br" },
                response.status,
                response.headers["x-correlation-id"]
              )
            )
      }),
      Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => timedOut(request, timeoutMs) })
    )

/**
 * Any `HttpClient` alone as the transport, never through a proxy: for a client that never leaves the process (the
 * emulator in-process).
 */
export const fromHttpClientDirect: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.map(HttpClient.HttpClient, (http) => ({ send: sendWith(http) }))
)

/**
 * Any `HttpClient` as the transport (fetch, say), honouring `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (see
 * `Proxies`): fetch cannot be given a proxy without undici, so a request the environment sends through a proxy goes
 * by node:http, as `NodeHttpTransport` sends it.
 */
export const fromHttpClient: Layer.Layer<Transport, never, HttpClient.HttpClient> = Layer.effect(
  Transport,
  Effect.map(HttpClient.HttpClient, (http) => {
    const direct = sendWith(http)
    return {
      send: (request, timeoutMs) =>
        Proxies.proxyFor(request.url) === undefined
          ? direct(request, timeoutMs)
          : Effect.flatMap(
              Effect.promise(() => import("./NodeHttpTransport.js")),
              (NodeHttp) => NodeHttp.send()(request, timeoutMs)
            )
    }
  })
)
