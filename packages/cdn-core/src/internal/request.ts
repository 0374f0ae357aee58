/**
 * The one request machinery behind every call: check the input, build the path, query and body once, then per
 * attempt sign with the time read now, send, read and decode; retry by the policy (a write only when the service
 * certainly did not carry it out), correcting the clock once when the service says the date is off.
 */
import { Clock, Duration, Effect, Either, FiberRef, LogLevel, type ParseResult, Schedule, Schema } from "effect"
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
import { acceptEncoding } from "../ResponseBody.js"
import * as Retry from "../Retry.js"
import type { SignerShape } from "../Signer.js"
import type { TransportShape } from "../Transport.js"
import * as Compiled from "./compiledDecode.js"
import { firstProblem, pathText } from "./issues.js"
import { anyCase } from "./lenient.js"

/** A decoded answer, with what identifies it to the service's support. */
export interface CdnResponse<A> {
  readonly value: A
  readonly status: number
  readonly correlationId: string | undefined
  /** The answer's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The body as the service sent it. */
  readonly body: string
}

const decodeErrorResponse = Schema.decodeUnknownEither(anyCase(ErrorResponse))

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// A key of the answer as the service spelt it (keys are read in any case).
const fieldOf = (value: unknown, name: PropertyKey): unknown => {
  if (Array.isArray(value)) return value[Number(name)]
  if (!isRecord(value)) return undefined
  if (Object.hasOwn(value, name)) return value[name as string]
  const lower = String(name).toLowerCase()
  const key = Object.keys(value).find((k) => k.toLowerCase() === lower)
  return key === undefined ? undefined : value[key]
}

/** What is wrong with an answer, by field and value: `Status: missing`, `Start: undocumented value "x"`. */
export const describeProblem = (error: ParseResult.ParseError, json: unknown): string => {
  const problem = firstProblem(error)
  const where = pathText(problem.path, "the answer")
  const found = problem.path.reduce<unknown>(fieldOf, json)
  if (problem.missing || found === undefined) return `${where}: missing`
  return `${where}: undocumented value ${bounded(JSON.stringify(found) ?? String(found), 120)}`
}

// A 2xx whose body says `"Succeeded": false` (a boolean or a string, the key in any case) is an error answer.
const saysFailed = (json: unknown): boolean => {
  const succeeded = fieldOf(json, "Succeeded")
  return succeeded === false || (typeof succeeded === "string" && succeeded.toLowerCase() === "false")
}

// A bare 429 is a throttle whatever its body says (gateways throttle without the service's body).
const throttled = (facts: ResponseFacts) => fromErrorInfo("RequestThrottled", null, facts)

/**
 * Reads an answer: a 3xx is a redirect (never followed), a 2xx is decoded with `decode` unless its body says it
 * failed, anything else is the service's error body (keys in any case, `Succeeded` false or "false"); a 429 is a
 * throttle whatever its body.
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
  if (facts.status >= 200 && facts.status < 300 && !saysFailed(json)) {
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
  const problem = firstProblem(error)
  const field = problem.path.length === 0 ? "input" : String(problem.path[0])
  return new InvalidInput({
    field,
    message: `${bounded(pathText(problem.path, "input"), 120)}: ${bounded(problem.message)}`
  })
}

const isDebug = FiberRef.get(FiberRef.currentMinimumLogLevel).pipe(
  Effect.map((level) => LogLevel.lessThanEqual(level, LogLevel.Debug))
)

// What a call needs on every attempt, worked out once per call description.
interface Prepared {
  readonly validate: (input: unknown) => Either.Either<Readonly<Record<string, unknown>>, ParseResult.ParseError>
  /** The JSON body from the checked input, with the call's payload schema. */
  readonly body: ((input: unknown) => Either.Either<unknown, ParseResult.ParseError>) | undefined
  /** The query pairs besides apiVersion, with the call's query schema. */
  readonly query:
    | ((input: unknown) => Either.Either<Readonly<Record<string, string>>, ParseResult.ParseError>)
    | undefined
  readonly decode: (json: unknown) => Either.Either<unknown, ParseResult.ParseError>
}

/** Sends calls described in `CdnApi`. */
export interface Requester {
  /** Checks the input, then sends the call. */
  readonly request: <Out>(call: AnyCall, input: unknown) => Effect.Effect<CdnResponse<Out>, CdnError>
}

export const makeRequester = (
  config: CdnConfigShape,
  signer: SignerShape,
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
        // Compiled too: a proxy's input, already checked once, is checked again here for next to nothing.
        validate: Compiled.decodeUnknownEither(call.input, { errors: "first" }) as Prepared["validate"],
        body: call.payload === undefined ? undefined : Schema.encodeUnknownEither(call.payload),
        query: call.query === undefined ? undefined : Schema.encodeUnknownEither(call.query),
        // Compiled once: an answer costs a fraction of what Schema's interpreter spends on it, with Schema's results.
        decode: Compiled.decodeUnknownEither(call.success)
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
    const prepared = prepare(call)
    const valid = prepared.validate(input)
    if (Either.isLeft(valid)) return Effect.fail(invalidInput(valid.left))
    // The body and the query come from the checked input through the call's own schemas, as a server reads them.
    const query = prepared.query === undefined ? Either.right({}) : prepared.query(valid.right)
    const payload = prepared.body === undefined ? Either.right(undefined) : prepared.body(valid.right)
    if (Either.isLeft(query)) return Effect.fail(invalidInput(query.left))
    if (Either.isLeft(payload)) return Effect.fail(invalidInput(payload.left))
    const send = sending<Out>(call, valid.right, Object.entries(query.right), payload.right, prepared.decode)
    return call.check === undefined ? send : Effect.zipRight(call.check(valid.right), send)
  }

  const sending = <Out>(
    call: AnyCall,
    valid: Readonly<Record<string, unknown>>,
    extra: ReadonlyArray<readonly [string, string]>,
    payload: unknown,
    decode: Prepared["decode"]
  ): Effect.Effect<CdnResponse<Out>, CdnError> => {
    const path = pathOf(call, valid)
    const pairs: Array<readonly [string, string]> = [["apiVersion", apiVersion], ...extra]
    const search = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&")
    const url = `${config.baseUrl}${path}?${search}`
    // The path as it goes on the wire: only the date changes between attempts.
    const attempt = { path: basePath + path, query: pairs, method: call.method }
    const body = payload === undefined ? undefined : JSON.stringify(payload)
    const method = call.method

    /** One attempt: signed with the time read now, sent within what is left of the deadline, read and decoded. */
    const attemptBy = (endsAt: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const headers: Record<string, string> = {
          accept: "application/json",
          "accept-encoding": acceptEncoding,
          "user-agent": config.userAgent,
          ...signer.sign(attempt, now)
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
                    headers: response.headers,
                    body: response.body
                  })
                : Effect.fail(value.left)
            )
          })
        )
      })

    return Effect.flatMap(Clock.currentTimeMillis, (start) => {
      const endsAt = start + deadlineMs
      const once = attemptBy(endsAt)
      // A date the service calls off is corrected from its clock once; the corrected attempt is then sent.
      const corrected = Effect.catchTag(once, "AuthorizationHeaderExpired", (error) =>
        error.serverDate === undefined
          ? Effect.fail(error)
          : Effect.flatMap(Clock.currentTimeMillis, (now) =>
              signer.learnServerTime(error.serverDate as string, now) ? once : Effect.fail(error)
            )
      )
      return retrying(corrected, method !== "GET", endsAt)
    })
  }

  return { request }
}
