/**
 * The one request machinery behind every call: check the input, build the path, query and body once, then per
 * attempt sign with the time read now, send, read and decode; retry by the policy (a write only when the service
 * certainly did not carry it out), correcting the clock once when the service says the date is off.
 */
import { Clock, Duration, Effect, Either, FiberRef, LogLevel, ParseResult, Schedule, Schema } from "effect"
import { type AnyCall, apiVersion, pathOf } from "../CdnApi.js"
import type { CdnConfigShape } from "../CdnConfig.js"
import { ErrorResponse } from "../ErrorInfo.js"
import {
  type CdnError,
  fromErrorInfo,
  InvalidInput,
  type ResponseError,
  type ResponseFacts,
  unreadable
} from "../Errors.js"
import * as Retry from "../Retry.js"
import { canonicalQuery, formatRequestDate, requestDateHeader, type Signer, signAttempt } from "../Signer.js"
import type { TransportShape } from "../Transport.js"

/** A decoded answer, with what identifies it to the service's support. */
export interface CdnResponse<A> {
  readonly value: A
  readonly status: number
  readonly correlationId: string | undefined
  /** The body as the service sent it. */
  readonly body: string
}

const decodeErrorResponse = Schema.decodeUnknownEither(ErrorResponse)

/** Reads a body as the documented JSON: `decode` for a 2xx, the error body otherwise. */
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
  if (facts.status >= 200 && facts.status < 300) {
    return Either.mapLeft(decode(json), () => unreadable("unexpected-shape", body, facts))
  }
  const error = decodeErrorResponse(json)
  if (Either.isLeft(error)) return Either.left(unreadable("unexpected-shape", body, facts))
  return Either.left(fromErrorInfo(error.right.ErrorInfo.Type, error.right.ErrorInfo.Message, facts))
}

/** The first problem of an input, as `InvalidInput` naming its field (`files[3]: must be an absolute …`). */
export const invalidInput = (error: ParseResult.ParseError): InvalidInput => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const path = issue?.path ?? []
  const field = path.length === 0 ? "input" : String(path[0])
  const where = path.map((step, i) =>
    typeof step === "number" ? `[${step}]` : i === 0 ? String(step) : `.${String(step)}`
  )
  const label = where.length === 0 ? "input" : where.join("")
  return new InvalidInput({ field, message: `${label}: ${issue?.message ?? "invalid"}` })
}

const isDebug = FiberRef.get(FiberRef.currentMinimumLogLevel).pipe(
  Effect.map((level) => LogLevel.lessThanEqual(level, LogLevel.Debug))
)

// What a call needs on every attempt, worked out once per call description.
interface Prepared {
  readonly validate: (input: unknown) => Either.Either<Readonly<Record<string, unknown>>, ParseResult.ParseError>
  readonly decode: (json: unknown) => Either.Either<unknown, ParseResult.ParseError>
}

/** Sends calls described in `CdnApi`. */
export interface Requester {
  /** Checks the input, then sends the call. */
  readonly request: <Out>(call: AnyCall, input: unknown) => Effect.Effect<CdnResponse<Out>, CdnError>
}

export const makeRequester = (
  config: CdnConfigShape,
  signer: Signer,
  transport: TransportShape,
  policy: Retry.RetryPolicy
): Requester => {
  const timeoutMs = Duration.toMillis(config.attemptTimeout)
  // The base URL's own path (empty for the service's host) comes before every API path on the wire.
  const basePath = new URL(config.baseUrl).pathname.replace(/\/+$/, "")
  const prepared = new Map<AnyCall, Prepared>()
  const prepare = (call: AnyCall): Prepared => {
    let found = prepared.get(call)
    if (found === undefined) {
      found = {
        validate: Schema.decodeUnknownEither(call.input, { errors: "first" }) as Prepared["validate"],
        decode: Schema.decodeUnknownEither(call.success)
      }
      prepared.set(call, found)
    }
    return found
  }

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
  const logAttempt = (
    method: string,
    path: string,
    started: number,
    outcome: string | number,
    correlationId: string | undefined
  ) =>
    Effect.flatMap(isDebug, (debug) =>
      debug
        ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.logDebug("http attempt").pipe(
              Effect.annotateLogs({
                method,
                path,
                status: outcome,
                durationMs: now - started,
                correlationId: correlationId ?? "-"
              })
            )
          )
        : Effect.void
    )

  // The policy's driver is built only after a first failure: a call that succeeds at once pays nothing for it.
  // A write is re-sent only when the service certainly did not carry it out.
  const retrying = <A>(once: Effect.Effect<A, CdnError>, write: boolean): Effect.Effect<A, CdnError> =>
    Effect.catchAll(once, (first) =>
      write && !Retry.isSafeToResend(first)
        ? Effect.fail(first)
        : Effect.flatMap(Schedule.driver(loggedPolicy), (driver) => {
            const next = (error: CdnError): Effect.Effect<A, CdnError> =>
              write && !Retry.isSafeToResend(error)
                ? Effect.fail(error)
                : Effect.matchEffect(driver.next(error), {
                    onFailure: () => Effect.fail(error),
                    onSuccess: () => Effect.catchAll(once, next)
                  })
            return next(first)
          })
    )

  const request = <Out>(call: AnyCall, input: unknown): Effect.Effect<CdnResponse<Out>, CdnError> => {
    const { validate, decode } = prepare(call)
    const valid = validate(input)
    if (Either.isLeft(valid)) return Effect.fail(invalidInput(valid.left))
    const path = pathOf(call, valid.right)
    const extra = call.query?.(valid.right) ?? []
    const pairs: Array<readonly [string, string]> = [["apiVersion", apiVersion], ...extra]
    const search = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&")
    const url = `${config.baseUrl}${path}?${search}`
    // The path as it goes on the wire, and the query canonical once: only the date changes between attempts.
    const signedPath = basePath + path
    const signedQuery = canonicalQuery(pairs)
    const body = call.body === undefined ? undefined : JSON.stringify(call.body(valid.right))
    const method = call.method

    /** One attempt: signed with the time read now, sent, read and decoded. */
    const attempt = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatMap(signer.skew, (skew) => {
        const date = formatRequestDate(now + skew)
        const headers: Record<string, string> = {
          accept: "application/json",
          [requestDateHeader]: date,
          authorization: signAttempt(config.keyId, config.keyValue, signedPath, signedQuery, date, method)
        }
        if (body !== undefined) headers["content-type"] = "application/json"
        return transport.send({ method, url, headers, ...(body === undefined ? {} : { body }) }, timeoutMs).pipe(
          Effect.tapError((error) => logAttempt(method, path, now, error._tag, undefined)),
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
              logAttempt(method, path, now, response.status, correlationId),
              Either.isRight(value)
                ? Effect.succeed({
                    value: value.right as Out,
                    status: response.status,
                    correlationId,
                    body: response.body
                  })
                : Effect.fail(value.left)
            )
          })
        )
      })
    )

    // A date the service calls off is corrected from its clock once; the corrected attempt is then sent.
    const corrected = Effect.catchTag(attempt, "AuthorizationHeaderExpired", (error) =>
      error.serverDate === undefined
        ? Effect.fail(error)
        : Effect.flatMap(signer.learnServerTime(error.serverDate), (changed) =>
            changed ? attempt : Effect.fail(error)
          )
    )
    return retrying(corrected, method !== "GET")
  }

  return { request }
}
