/**
 * The client of the CDN API: every call signed per attempt, retried by the policy, answered with typed errors.
 * One attempt goes over a `Transport`: any `HttpClient` by default, or a leaner one on a hot path (the proxy).
 */
import { Clock, Duration, Effect, Either, FiberRef, LogLevel, Option, ParseResult, Schedule, Schema } from "effect"
import { CdnConfig } from "./CdnConfig.js"
import { ErrorResponse } from "./ErrorInfo.js"
import {
  type CdnError,
  fromErrorInfo,
  InvalidInput,
  type ResponseError,
  type ResponseFacts,
  unreadable
} from "./Errors.js"
import { Operation, OperationRef } from "./Operation.js"
import * as Retry from "./Retry.js"
import {
  authorization,
  canonicalQuery,
  formatRequestDate,
  joinParts,
  requestDateHeader,
  Signer,
  signature
} from "./Signer.js"
import { fromHttpClient, Transport } from "./Transport.js"

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

const isDebug = FiberRef.get(FiberRef.currentMinimumLogLevel).pipe(
  Effect.map((level) => LogLevel.lessThanEqual(level, LogLevel.Debug))
)

// Every call sends the same query: its canonical form is computed once.
const signedQuery = canonicalQuery([["apiVersion", apiVersion]])

/** Builds the client from `CdnConfig`, `Signer` and a `Transport`; a `Retry.Policy` in the context replaces the default. */
const make = Effect.gen(function* () {
  const config = yield* CdnConfig
  const signer = yield* Signer
  const transport = yield* Transport
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

  // One debug line per attempt, answered or not; the level is checked first so that a quiet run pays nothing.
  const logAttempt = (path: string, started: number, outcome: string | number, correlationId: string | undefined) =>
    Effect.flatMap(isDebug, (debug) =>
      debug
        ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.logDebug("http attempt").pipe(
              Effect.annotateLogs({
                method: "GET",
                path,
                status: outcome,
                durationMs: now - started,
                correlationId: correlationId ?? "-"
              })
            )
          )
        : Effect.void
    )

  /** One attempt: signed with the time read now, sent, read and decoded. */
  const attempt = <A>(
    path: string,
    decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
  ): Effect.Effect<CdnResponse<A>, CdnError> => {
    const url = `${config.baseUrl}${path}?apiVersion=${apiVersion}`
    const signedPath = basePath + path
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatMap(signer.skew, (skew) => {
        const date = formatRequestDate(now + skew)
        const text = joinParts(signedPath, signedQuery, date, "GET")
        const headers = {
          accept: "application/json",
          [requestDateHeader]: date,
          authorization: authorization(config.keyId, signature(config.keyValue, text))
        }
        return transport.send({ method: "GET", url, headers }, timeoutMs).pipe(
          Effect.tapError((error) => logAttempt(path, now, error._tag, undefined)),
          Effect.flatMap((response) => {
            const correlationId = response.headers["x-correlation-id"]
            const facts = {
              status: response.status,
              correlationId,
              retryAfterMs: Retry.parseRetryAfter(response.headers["retry-after"], now),
              serverDate: response.headers.date
            }
            const value = interpret(response.body, facts, decode)
            return Effect.zipRight(
              logAttempt(path, now, response.status, correlationId),
              Either.isRight(value)
                ? Effect.succeed({ value: value.right, status: response.status, correlationId, body: response.body })
                : Effect.fail(value.left)
            )
          })
        )
      })
    )
  }

  // The policy's driver is built only after a first failure: a call that succeeds at once pays nothing for it.
  const retrying = <A>(once: Effect.Effect<A, CdnError>): Effect.Effect<A, CdnError> =>
    Effect.catchAll(once, (first) =>
      Effect.flatMap(Schedule.driver(loggedPolicy), (driver) => {
        const next = (error: CdnError): Effect.Effect<A, CdnError> =>
          Effect.matchEffect(driver.next(error), {
            onFailure: () => Effect.fail(error),
            onSuccess: () => Effect.catchAll(once, next)
          })
        return next(first)
      })
    )

  /** Sends a call, correcting the clock once if the service says the date is off, retrying by the policy. */
  const send = <A>(
    path: string,
    decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
  ): Effect.Effect<CdnResponse<A>, CdnError> => {
    const once = attempt(path, decode)
    return retrying(
      Effect.catchTag(once, "AuthorizationHeaderExpired", (error) =>
        error.serverDate === undefined
          ? Effect.fail(error)
          : Effect.flatMap(signer.learnServerTime(error.serverDate), (changed) => (changed ? once : Effect.fail(error)))
      )
    )
  }

  /** The operation with its response details. */
  const getOperationResponse = (ref: OperationRefInput): Effect.Effect<CdnResponse<Operation>, CdnError> => {
    const valid = parseOperationRef(ref)
    return Either.isLeft(valid) ? Effect.fail(valid.left) : send(operationPath(valid.right), decodeOperation)
  }

  /** The status and result of an asynchronous operation (a purge, a preload). */
  const getOperation = (ref: OperationRefInput): Effect.Effect<Operation, CdnError> =>
    Effect.map(getOperationResponse(ref), (response) => response.value)

  return { getOperation, getOperationResponse } as const
})

/**
 * The CDN API client. `CdnClient.Default` needs `CdnConfig` and an `HttpClient`;
 * `CdnClient.DefaultWithoutDependencies` needs `CdnConfig`, a `Signer` and a `Transport`.
 */
export class CdnClient extends Effect.Service<CdnClient>()("@org/cdn-core/CdnClient", {
  effect: make,
  dependencies: [Signer.Default, fromHttpClient]
}) {}
