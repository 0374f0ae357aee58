/**
 * The client of the CDN API: every call signed per attempt, retried by the policy, answered with typed errors.
 */
import { HttpClient, type HttpClientError, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import { Clock, Duration, Effect, Either, FiberRef, LogLevel, Option, ParseResult, Schedule, Schema } from "effect"
import { CdnConfig } from "./CdnConfig.js"
import { ErrorResponse } from "./ErrorInfo.js"
import {
  type CdnError,
  fromErrorInfo,
  InvalidInput,
  RequestTimeout,
  type ResponseError,
  type ResponseFacts,
  TransportError,
  unreadable
} from "./Errors.js"
import { Operation, OperationRef } from "./Operation.js"
import * as Retry from "./Retry.js"
import { Signer } from "./Signer.js"

/** A decoded answer, with what identifies it to the service's support. */
export interface CdnResponse<A> {
  readonly value: A
  readonly status: number
  readonly correlationId: string | undefined
  /** The body as the service sent it. */
  readonly body: string
}

/** The three IDs as strings, in any case: they are checked and lower-cased before anything is sent. */
export type OperationRefInput = typeof OperationRef.Encoded

/** The API version every call carries. */
export const apiVersion = "1.0"

const decodeRef = Schema.decodeUnknownEither(OperationRef)
const decodeOperation = Schema.decodeUnknownEither(Operation)
const decodeErrorResponse = Schema.decodeUnknownEither(ErrorResponse)

/** Refuses IDs that are not GUIDs, naming the field. */
export const parseOperationRef = (input: OperationRefInput): Either.Either<OperationRef, InvalidInput> =>
  Either.mapLeft(decodeRef(input), (error) => {
    const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
    const field = String(issue?.path[0] ?? "input")
    return new InvalidInput({ field, message: `${field}: ${issue?.message ?? "invalid"}` })
  })

/** The path of the get-operation call. */
export const operationPath = (ref: OperationRef): string =>
  `/subscriptions/${ref.subscriptionId}/endpoints/${ref.endpointId}/operations/${ref.operationId}`

const factsOf = (response: HttpClientResponse.HttpClientResponse, now: number): ResponseFacts => ({
  status: response.status,
  correlationId: response.headers["x-correlation-id"],
  retryAfterMs: Retry.parseRetryAfter(response.headers["retry-after"], now),
  serverDate: response.headers.date
})

/** Reads a body as the documented JSON: `decode` for a 200, the error body otherwise. */
export const interpret = <A>(
  body: string,
  facts: ResponseFacts,
  decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
): Either.Either<A, ResponseError> => {
  if (body.trim() === "") return Either.left(unreadable("empty", body, facts))
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return Either.left(unreadable("not-json", body, facts))
  }
  if (facts.status === 200) {
    return Either.mapLeft(decode(json), () => unreadable("unexpected-shape", body, facts))
  }
  const error = decodeErrorResponse(json)
  if (Either.isLeft(error)) return Either.left(unreadable("unexpected-shape", body, facts))
  return Either.left(fromErrorInfo(error.right.ErrorInfo.Type, error.right.ErrorInfo.Message, facts))
}

const transportError = (error: HttpClientError.RequestError): TransportError =>
  new TransportError({
    method: error.request.method,
    url: error.request.url,
    message: `could not reach ${error.request.url}: ${describeCause(error.cause) ?? error.description ?? error.reason}`
  })

// undici hides the socket error under `cause`; its code (ECONNREFUSED, ECONNRESET) is what a person can act on.
const describeCause = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined
  const inner = cause.cause instanceof Error ? cause.cause : undefined
  const code = (inner as { code?: unknown } | undefined)?.code ?? (cause as { code?: unknown }).code
  return typeof code === "string" ? `${code} (${inner?.message ?? cause.message})` : (inner?.message ?? cause.message)
}

const isDebug = FiberRef.get(FiberRef.currentMinimumLogLevel).pipe(
  Effect.map((level) => LogLevel.lessThanEqual(level, LogLevel.Debug))
)

/** The CDN API client. Needs `CdnConfig` and an `HttpClient`. */
export class CdnClient extends Effect.Service<CdnClient>()("@org/cdn-core/CdnClient", {
  effect: Effect.gen(function* () {
    const config = yield* CdnConfig
    const signer = yield* Signer
    const http = yield* HttpClient.HttpClient
    const policy = Option.getOrElse(yield* Effect.serviceOption(Retry.Policy), () => Retry.policy(config.retry))
    const timeoutMs = Duration.toMillis(config.attemptTimeout)
    // The base URL's own path (empty for the service's host) comes before every API path on the wire.
    const basePath = new URL(config.baseUrl).pathname.replace(/\/+$/, "")

    // Logged at debug level: one line per retry decision, never a header.
    const loggedPolicy = policy.pipe(
      Schedule.tapOutput((step) =>
        step.delayMs === undefined
          ? Effect.void
          : Effect.logDebug("retrying").pipe(
              Effect.annotateLogs({ attempt: step.attempt, error: step.error._tag, retryDelayMs: step.delayMs })
            )
      )
    )

    /** One signed attempt: signed now, sent, read and decoded, within the per-attempt timeout. */
    const attempt = <A>(
      request: HttpClientRequest.HttpClientRequest,
      path: string,
      decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
    ): Effect.Effect<CdnResponse<A>, CdnError> =>
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        const signed = yield* signer.sign(request, basePath + path)
        const response = yield* http.execute(signed)
        const body = yield* response.text
        const now = yield* Clock.currentTimeMillis
        const facts = factsOf(response, now)
        if (yield* isDebug) {
          yield* Effect.logDebug("http attempt").pipe(
            Effect.annotateLogs({
              method: request.method,
              path,
              status: response.status,
              durationMs: now - started,
              correlationId: facts.correlationId ?? "-"
            })
          )
        }
        const value = yield* interpret(body, facts, decode)
        return { value, status: response.status, correlationId: facts.correlationId, body }
      }).pipe(
        Effect.catchTags({
          RequestError: (error) => Effect.fail(transportError(error)),
          // The body could not be read to its end: the connection broke mid-answer.
          ResponseError: (error) =>
            Effect.fail(
              new TransportError({
                method: error.request.method,
                url: error.request.url,
                message: `the connection to ${error.request.url} broke while reading the answer (HTTP ${error.response.status}): ${describeCause(error.cause) ?? error.reason}`
              })
            )
        }),
        Effect.timeoutFail({
          duration: timeoutMs,
          onTimeout: () =>
            new RequestTimeout({
              method: request.method,
              url: request.url,
              timeoutMs,
              message: `no answer from ${request.url} within ${Duration.format(config.attemptTimeout)}`
            })
        })
      )

    /** Sends a call, correcting the clock once if the service says the date is off, retrying by the policy. */
    const send = <A>(
      method: "GET",
      path: string,
      decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
    ): Effect.Effect<CdnResponse<A>, CdnError> => {
      const request = HttpClientRequest.make(method)(`${config.baseUrl}${path}`, {
        urlParams: { apiVersion },
        acceptJson: true
      })
      const once = attempt(request, path, decode)
      const clockCorrected = once.pipe(
        Effect.catchTag("AuthorizationHeaderExpired", (error) =>
          error.serverDate === undefined
            ? Effect.fail(error)
            : signer
                .learnServerTime(error.serverDate)
                .pipe(Effect.flatMap((changed) => (changed ? once : Effect.fail(error))))
        )
      )
      return Effect.retry(clockCorrected, loggedPolicy)
    }

    /** The operation with its response details. */
    const getOperationResponse = (ref: OperationRefInput): Effect.Effect<CdnResponse<Operation>, CdnError> =>
      Effect.flatMap(parseOperationRef(ref), (valid) => send("GET", operationPath(valid), decodeOperation))

    /** The status and result of an asynchronous operation (a purge, a preload). */
    const getOperation = (ref: OperationRefInput): Effect.Effect<Operation, CdnError> =>
      Effect.map(getOperationResponse(ref), (response) => response.value)

    return { getOperation, getOperationResponse } as const
  }),
  dependencies: [Signer.Default]
}) {}
