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
  bounded,
  type CdnError,
  fromErrorInfo,
  InvalidInput,
  type ResponseError,
  type ResponseFacts,
  redirected,
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

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? String(step) : `.${String(step)}`)).join("")

const valueAt = (json: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (value, step) =>
      typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[step] : undefined,
    json
  )

/** What is wrong with an answer, by field and value: `Status: missing`, `Start: undocumented value "x"`. */
export const describeProblem = (error: ParseResult.ParseError, json: unknown): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issue === undefined) return "unexpected shape"
  const where = issue.path.length === 0 ? "the answer" : pathText(issue.path)
  if (issue._tag === "Missing") return `${where}: missing`
  const value = JSON.stringify(valueAt(json, issue.path)) ?? "undefined"
  return `${where}: undocumented value ${bounded(value, 120)}`
}

// A bare 429 is a throttle whatever its body says (gateways throttle without the service's body).
const throttled = (facts: ResponseFacts) => fromErrorInfo("RequestThrottled", null, facts)

/**
 * Reads an answer: a 3xx is a redirect (never followed), a 2xx is decoded with `decode`, anything else is the
 * service's error body; a 429 is a throttle whatever its body.
 */
export const interpret = <A>(
  body: string,
  facts: ResponseFacts,
  decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>,
  location?: string
): Either.Either<A, ResponseError> => {
  if (facts.status >= 300 && facts.status < 400) {
    return Either.left(redirected(facts.status, location, facts.correlationId))
  }
  const fallback = (reason: "empty" | "not-json" | "unexpected-shape", problem?: string) =>
    Either.left(facts.status === 429 ? throttled(facts) : unreadable(reason, body, facts, problem))
  if (body.trim() === "") return fallback("empty")
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return fallback("not-json")
  }
  if (facts.status >= 200 && facts.status < 300) {
    return Either.mapLeft(decode(json), (error) =>
      unreadable("unexpected-shape", body, facts, describeProblem(error, json))
    )
  }
  const error = decodeErrorResponse(json)
  if (Either.isLeft(error)) return fallback("unexpected-shape", describeProblem(error.left, json))
  return Either.left(fromErrorInfo(error.right.ErrorInfo.Type, error.right.ErrorInfo.Message, facts))
}

/** The first problem of an input, as `InvalidInput` naming its field (`files[3]: must be an absolute …`). */
export const invalidInput = (error: ParseResult.ParseError): InvalidInput => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const path = issue?.path ?? []
  const field = path.length === 0 ? "input" : String(path[0])
  const label = path.length === 0 ? "input" : pathText(path)
  return new InvalidInput({ field, message: `${label}: ${bounded(issue?.message ?? "invalid")}` })
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
  // One deadline per call, across all its attempts and the waits between them, counted from the first attempt.
  const deadlineMs = Duration.toMillis(config.retry.maxElapsed)
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
  // A write is re-sent only when the service certainly did not carry it out; no wait runs past the call's deadline.
  const retrying = <A>(once: Effect.Effect<A, CdnError>, write: boolean, endsAt: number): Effect.Effect<A, CdnError> =>
    Effect.catchAll(once, (first) =>
      write && !Retry.isSafeToResend(first)
        ? Effect.fail(first)
        : Effect.flatMap(
            Schedule.driver(
              loggedPolicy.pipe(
                Schedule.checkEffect((_, step) =>
                  Effect.map(
                    Clock.currentTimeMillis,
                    (now) => step.delayMs === undefined || now + step.delayMs < endsAt
                  )
                )
              )
            ),
            (driver) => {
              const next = (error: CdnError): Effect.Effect<A, CdnError> =>
                write && !Retry.isSafeToResend(error)
                  ? Effect.fail(error)
                  : Effect.matchEffect(driver.next(error), {
                      onFailure: () => Effect.fail(error),
                      onSuccess: () => Effect.catchAll(once, next)
                    })
              return next(first)
            }
          )
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

    /** One attempt: signed with the time read now, sent within what is left of the deadline, read and decoded. */
    const attemptBy = (endsAt: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(signer.skew, (skew) => {
          const date = formatRequestDate(now + skew)
          const headers: Record<string, string> = {
            accept: "application/json",
            [requestDateHeader]: date,
            authorization: signAttempt(config.keyId, config.keyValue, signedPath, signedQuery, date, method)
          }
          if (body !== undefined) headers["content-type"] = "application/json"
          const limit = Math.max(1, Math.min(timeoutMs, endsAt - now))
          return transport.send({ method, url, headers, ...(body === undefined ? {} : { body }) }, limit).pipe(
            Effect.tapError((error) => logAttempt(method, path, now, error._tag, undefined)),
            Effect.flatMap((response) => {
              const correlationId = response.headers["x-correlation-id"]
              const facts = {
                status: response.status,
                correlationId,
                retryAfterMs: Retry.parseRetryAfter(response.headers["retry-after"], now),
                serverDate: response.headers.date
              }
              const value = interpret(response.body, facts, decode, response.headers.location)
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

    return Effect.flatMap(Clock.currentTimeMillis, (start) => {
      const endsAt = start + deadlineMs
      const attempt = attemptBy(endsAt)
      // A date the service calls off is corrected from its clock once; the corrected attempt is then sent.
      const corrected = Effect.catchTag(attempt, "AuthorizationHeaderExpired", (error) =>
        error.serverDate === undefined
          ? Effect.fail(error)
          : Effect.flatMap(signer.learnServerTime(error.serverDate), (changed) =>
              changed ? attempt : Effect.fail(error)
            )
      )
      return retrying(corrected, method !== "GET", endsAt)
    })
  }

  return { request }
}
