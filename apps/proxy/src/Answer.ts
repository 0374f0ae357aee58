/**
 * What the proxy writes back: bytes ready for the socket, built once. Successes carry the service's own body; every
 * failure carries the service's error shape `{"Succeeded": false, "ErrorInfo": {"Type", "Message"}}`.
 */
import { type CdnApi, type CdnClient, ErrorCategory, ErrorInfo, type Errors, Operation } from "@org/cdn-core"
import { Effect } from "effect"

/** A response, ready to write (and to keep in the cache). */
export interface Answer {
  readonly status: number
  readonly body: Buffer
  /** Its response headers, built once: a cached answer is written as is. */
  readonly headers: Readonly<Record<string, string | number>>
  /** The upstream response's `X-Correlation-Id`, when there was one. */
  readonly correlationId: string | undefined
  /** Seconds for `Retry-After` (429 and 503). */
  readonly retryAfterSeconds: number | undefined
  /** The error type, for logs and metrics; undefined on success. */
  readonly errorType: string | undefined
  /** A terminal operation: it will never change, so it may be kept for good. */
  readonly terminal: boolean
}

const make = (
  status: number,
  body: Buffer,
  fields: Pick<Answer, "correlationId" | "retryAfterSeconds" | "errorType" | "terminal">
): Answer => {
  const headers: Record<string, string | number> = {
    "content-type": "application/json; charset=utf-8",
    // A string: node would turn a number into one on every write of a cached answer.
    "content-length": String(body.length)
  }
  if (fields.correlationId !== undefined) headers["x-correlation-id"] = fields.correlationId
  if (fields.retryAfterSeconds !== undefined) headers["retry-after"] = String(fields.retryAfterSeconds)
  return { status, body, headers, ...fields }
}

/** An error answer in the service's body shape. */
export const failure = (
  status: number,
  type: string,
  message: string,
  extra: { readonly correlationId?: string | undefined; readonly retryAfterSeconds?: number } = {}
): Answer =>
  make(status, Buffer.from(JSON.stringify(ErrorInfo.errorResponse(type, message))), {
    correlationId: extra.correlationId,
    retryAfterSeconds: extra.retryAfterSeconds,
    errorType: type,
    terminal: false
  })

/** The service's 200 answer, passed on byte for byte. */
export const success = (body: string, status: Operation.OperationStatus, correlationId: string | undefined): Answer =>
  make(200, Buffer.from(body), {
    correlationId,
    retryAfterSeconds: undefined,
    errorType: undefined,
    terminal: Operation.isTerminal(status)
  })

/** The service's 2xx answer to any call, passed on byte for byte; `terminal` when it will never change. */
export const passThrough = (
  status: number,
  body: string,
  correlationId: string | undefined,
  terminal: boolean
): Answer =>
  make(status, Buffer.from(body), { correlationId, retryAfterSeconds: undefined, errorType: undefined, terminal })

/** An answer as kept outside the process (in Redis): its bytes as text. */
export interface Kept {
  readonly status: number
  readonly body: string
  readonly correlationId: string | undefined
  readonly retryAfterSeconds: number | undefined
  readonly errorType: string | undefined
  readonly terminal: boolean
  /** When it was kept (epoch ms): another replica keeps it only for what is left of its TTL. Older entries lack it. */
  readonly keptAt?: number | undefined
}

/** An answer to keep outside the process, kept at `keptAt` (epoch ms). */
export const keep = (answer: Answer, keptAt: number): Kept => ({
  status: answer.status,
  body: answer.body.toString("utf8"),
  correlationId: answer.correlationId,
  retryAfterSeconds: answer.retryAfterSeconds,
  errorType: answer.errorType,
  terminal: answer.terminal,
  keptAt
})

/** An answer kept by another replica (in Redis), as it was. */
export const restore = (kept: Kept): Answer =>
  make(kept.status, Buffer.from(kept.body), {
    correlationId: kept.correlationId ?? undefined,
    retryAfterSeconds: kept.retryAfterSeconds ?? undefined,
    errorType: kept.errorType ?? undefined,
    terminal: kept.terminal
  })

const clientError = (status: number): boolean => status >= 400 && status < 500

/** How a failed upstream call is answered. `defaultRetryAfterSeconds` is used when the service named none. */
export const fromCdnError = (error: Errors.CdnError, defaultRetryAfterSeconds: number): Answer => {
  switch (error._tag) {
    case "RequestThrottled": {
      // The retry budget ran out while the service still throttled: tell the caller when to come back.
      const seconds =
        error.retryAfterMs === undefined ? defaultRetryAfterSeconds : Math.max(1, Math.ceil(error.retryAfterMs / 1000))
      return failure(429, "RequestThrottled", error.serviceMessage ?? "Request throttled.", {
        correlationId: error.correlationId,
        retryAfterSeconds: seconds
      })
    }
    case "UnreadableResponse":
      return failure(502, "BadGateway", error.message, { correlationId: error.correlationId })
    case "TransportError":
      return failure(502, "BadGateway", error.message)
    // The upstream address redirected: never followed, nothing sent elsewhere.
    case "UnexpectedRedirect":
      return failure(502, "BadGateway", error.message, { correlationId: error.correlationId })
    case "RequestTimeout":
      return failure(504, "GatewayTimeout", error.message)
    case "InvalidInput":
      return failure(400, "ParameterInvalid", error.message)
    case "UnknownServiceError":
      return failure(
        clientError(error.status) ? error.status : 502,
        error.errorType,
        error.serviceMessage ?? error.message,
        {
          correlationId: error.correlationId
        }
      )
    default: {
      // The service refused the proxy's own key, signature or date: the caller can do nothing about it, so a bad gateway.
      if (ErrorCategory.categoryOf(error) === "authentication") {
        return failure(502, error._tag, `The service refused the proxy's credentials: ${error.message}`, {
          correlationId: error.correlationId
        })
      }
      const status = clientError(error.status) ? error.status : ErrorInfo.httpStatusOf(error._tag)
      return failure(status, error._tag, error.serviceMessage ?? error.message, { correlationId: error.correlationId })
    }
  }
}

/** An answer now, or the effect that ends the call with one (it never fails). */
export type Pending =
  | { readonly _tag: "Now"; readonly answer: Answer }
  | { readonly _tag: "Later"; readonly rest: Effect.Effect<Answer> }

/**
 * The one way a call goes upstream, for reads and writes alike: through the client (which encodes the input with the
 * schema it was read with), its outcome, a failure included, turned into the answer to give. `final` says whether a
 * successful answer can no longer change. The first attempt goes on the transport's callback: its answer comes to
 * `done` as `Now`; retries, and whatever needs a fiber, come as `Later`.
 */
export const fromUpstream =
  (client: CdnClient.CdnClient, retryAfterSeconds: number) =>
  (
    call: CdnApi.AnyCall,
    input: unknown,
    final: (value: unknown) => boolean,
    done: (pending: Pending) => void
  ): void => {
    const toAnswer = (response: CdnClient.CdnResponse<unknown>): Answer =>
      passThrough(response.status, response.body, response.correlationId, final(response.value))
    client.requestByCallback(call, input as never, (attempted) =>
      done(
        attempted._tag === "Answered"
          ? { _tag: "Now", answer: toAnswer(attempted.response) }
          : {
              _tag: "Later",
              rest: attempted.rest.pipe(
                Effect.map(toAnswer),
                Effect.catchAll((error) => Effect.succeed(fromCdnError(error, retryAfterSeconds)))
              )
            }
      )
    )
  }

/** `fromUpstream` on a fiber. */
export const fromUpstreamEffect = (client: CdnClient.CdnClient, retryAfterSeconds: number) => {
  const ask = fromUpstream(client, retryAfterSeconds)
  return (call: CdnApi.AnyCall, input: unknown, final: (value: unknown) => boolean): Effect.Effect<Answer> =>
    Effect.async<Answer>((resume) =>
      ask(call, input, final, (pending) =>
        resume(pending._tag === "Now" ? Effect.succeed(pending.answer) : pending.rest)
      )
    )
}
