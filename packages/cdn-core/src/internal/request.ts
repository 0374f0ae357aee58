/**
 * The one request machinery behind every call: check the input, build the path, query and body once, then per
 * attempt sign with the time read now, send, read and decode; retry by the policy (a write only when the service
 * certainly did not carry it out), correcting the clock once when the service says the date is off. A first attempt
 * may go on the transport's callback instead of a fiber (`requestByCallback`); what follows it is the same effect.
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
import type { Attempt, SignerShape } from "../Signer.js"
import type { TransportRequest, TransportResponse, TransportShape } from "../Transport.js"
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

/**
 * How `requestByCallback` ended: answered by its first attempt (no fiber ran), or the rest of the call to run on a
 * fiber (retries after a failed first attempt, or the whole call when it cannot go on a callback).
 */
export type Attempted<Out> =
  | { readonly _tag: "Answered"; readonly response: CdnResponse<Out> }
  | { readonly _tag: "Continue"; readonly rest: Effect.Effect<CdnResponse<Out>, CdnError> }

/** Sends calls described in `CdnApi`. */
export interface Requester {
  /** Checks the input, then sends the call. */
  readonly request: <Out>(call: AnyCall, input: unknown) => Effect.Effect<CdnResponse<Out>, CdnError>
  /** `request` with its first attempt on the transport's callback (`dispatch`); see `Attempted`. */
  readonly requestByCallback: <Out>(call: AnyCall, input: unknown, done: (attempted: Attempted<Out>) => void) => void
}

/** What the callback path needs besides the transport: the clock, and whether attempts are logged. */
export interface CallbackContext {
  /** Epoch ms by the clock the client was built with (Effect's `Clock`, so a `TestClock` too). */
  readonly now: () => number
  /** True when the log level the client was built with shows debug lines: every attempt then goes on a fiber. */
  readonly debug: boolean
}

export const makeRequester = (
  config: CdnConfigShape,
  signer: SignerShape,
  transport: TransportShape,
  policy: Retry.RetryPolicy,
  callbacks: CallbackContext
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

  // What follows a first failure: the policy's driver, built only then (a call that succeeds at once pays nothing for
  // it). A write is re-sent only when the service certainly did not carry it out; no wait runs past the deadline.
  const retryFrom =
    <A>(once: Effect.Effect<A, CdnError>, write: boolean, endsAt: number) =>
    (first: CdnError): Effect.Effect<A, CdnError> =>
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

  // The input checked and the call built once: only the date changes between attempts.
  const build = (call: AnyCall, input: unknown): Either.Either<Built, InvalidInput> => {
    const prepared = prepare(call)
    const valid = prepared.validate(input)
    if (Either.isLeft(valid)) return Either.left(invalidInput(valid.left))
    // The body and the query come from the checked input through the call's own schemas, as a server reads them.
    const query = prepared.query === undefined ? Either.right({}) : prepared.query(valid.right)
    const payload = prepared.body === undefined ? Either.right(undefined) : prepared.body(valid.right)
    if (Either.isLeft(query)) return Either.left(invalidInput(query.left))
    if (Either.isLeft(payload)) return Either.left(invalidInput(payload.left))
    const path = pathOf(call, valid.right)
    const pairs: Array<readonly [string, string]> = [["apiVersion", apiVersion], ...Object.entries(query.right)]
    const search = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&")
    return Either.right({
      call,
      valid: valid.right,
      path,
      url: `${config.baseUrl}${path}?${search}`,
      // The path as it goes on the wire.
      wire: { path: basePath + path, query: pairs, method: call.method },
      body: payload.right === undefined ? undefined : JSON.stringify(payload.right),
      decode: prepared.decode
    })
  }

  /** One attempt's request, signed with the time `now`, sent within what is left until `endsAt`. */
  const signed = (built: Built, now: number, endsAt: number) => {
    const headers: Record<string, string> = {
      accept: "application/json",
      "accept-encoding": acceptEncoding,
      "user-agent": config.userAgent,
      ...signer.sign(built.wire, now)
    }
    if (built.body !== undefined) headers["content-type"] = "application/json"
    const request: TransportRequest = {
      method: built.call.method,
      url: built.url,
      headers,
      ...(built.body === undefined ? {} : { body: built.body })
    }
    return { request, limit: Math.max(1, Math.min(timeoutMs, endsAt - now)) }
  }

  /** One attempt's answer, read and decoded; `sentAt` dates a `Retry-After` given as seconds. */
  const answerOf = <Out>(
    built: Built,
    response: TransportResponse,
    sentAt: number
  ): Either.Either<CdnResponse<Out>, ResponseError> => {
    const correlationId = response.headers["x-correlation-id"]
    const facts = {
      status: response.status,
      correlationId,
      retryAfterMs: Retry.parseRetryAfter(response.headers["retry-after"], sentAt),
      serverDate: response.headers.date
    }
    return Either.map(
      interpret(response.body, facts, built.decode, response.headers.location),
      (value): CdnResponse<Out> => ({
        value: value as Out,
        status: response.status,
        correlationId,
        headers: response.headers,
        body: response.body
      })
    )
  }

  /** One attempt on a fiber: signed with the time read now, sent, read and decoded, logged at debug level. */
  const attemptBy = <Out>(built: Built, endsAt: number): Effect.Effect<CdnResponse<Out>, CdnError> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const { request, limit } = signed(built, now, endsAt)
      return transport.send(request, limit).pipe(
        Effect.tapError((error) => logAttempt(request.method, built.path, now, error._tag, undefined)),
        Effect.flatMap((response) =>
          Effect.zipRight(
            logAttempt(request.method, built.path, now, response.status, response.headers["x-correlation-id"]),
            answerOf<Out>(built, response, now)
          )
        )
      )
    })

  /**
   * A call from the outcome of its first attempt (`first`) to its end: a date the service calls off corrected from
   * its clock once (the corrected attempt then sent), then the policy's retries until the deadline `endsAt`.
   */
  const from = <Out>(
    built: Built,
    endsAt: number,
    first: Effect.Effect<CdnResponse<Out>, CdnError>
  ): Effect.Effect<CdnResponse<Out>, CdnError> => {
    const once = attemptBy<Out>(built, endsAt)
    const correctDate = (error: CdnError): Effect.Effect<CdnResponse<Out>, CdnError> =>
      error._tag !== "AuthorizationHeaderExpired" || error.serverDate === undefined
        ? Effect.fail(error)
        : Effect.flatMap(Clock.currentTimeMillis, (now) =>
            signer.learnServerTime(error.serverDate as string, now) ? once : Effect.fail(error)
          )
    const corrected = Effect.catchAll(once, correctDate)
    return Effect.catchAll(
      Effect.catchAll(first, correctDate),
      retryFrom(corrected, built.call.method !== "GET", endsAt)
    )
  }

  const sending = <Out>(built: Built): Effect.Effect<CdnResponse<Out>, CdnError> => {
    const whole = Effect.flatMap(Clock.currentTimeMillis, (start) => {
      // One deadline for the call, counted from its first attempt.
      const endsAt = start + deadlineMs
      return from<Out>(built, endsAt, attemptBy<Out>(built, endsAt))
    })
    const check = built.call.check
    return check === undefined ? whole : Effect.zipRight(check(built.valid), whole)
  }

  const request = <Out>(call: AnyCall, input: unknown): Effect.Effect<CdnResponse<Out>, CdnError> => {
    const built = build(call, input)
    return Either.isLeft(built) ? Effect.fail(built.left) : sending<Out>(built.right)
  }

  // The first attempt on the transport's callback: a success is answered with no fiber at all. Attempts logged at
  // debug level, a call with its own check and a transport without `dispatch` need a fiber from the start.
  const requestByCallback = <Out>(call: AnyCall, input: unknown, done: (attempted: Attempted<Out>) => void): void => {
    const dispatch = transport.dispatch
    const built = build(call, input)
    if (Either.isLeft(built)) {
      done({ _tag: "Continue", rest: Effect.fail(built.left) })
      return
    }
    if (dispatch === undefined || callbacks.debug || call.check !== undefined) {
      done({ _tag: "Continue", rest: sending<Out>(built.right) })
      return
    }
    const start = callbacks.now()
    const endsAt = start + deadlineMs
    const { request, limit } = signed(built.right, start, endsAt)
    dispatch(request, limit, (outcome) => {
      let attempted: Attempted<Out>
      try {
        const answered: Either.Either<CdnResponse<Out>, CdnError> = Either.isLeft(outcome)
          ? Either.left(outcome.left)
          : answerOf<Out>(built.right, outcome.right, start)
        attempted = Either.isRight(answered)
          ? { _tag: "Answered", response: answered.right }
          : { _tag: "Continue", rest: from<Out>(built.right, endsAt, Effect.fail(answered.left)) }
      } catch (defect) {
        // A bug while reading the answer is a defect, as it would be on a fiber: never thrown into the transport.
        attempted = { _tag: "Continue", rest: Effect.die(defect) }
      }
      done(attempted)
    })
  }

  return { request, requestByCallback }
}

/** A call with its input checked, built once for all its attempts. */
interface Built {
  readonly call: AnyCall
  readonly valid: Readonly<Record<string, unknown>>
  /** The API path, for logs. */
  readonly path: string
  readonly url: string
  /** What is signed: the path on the wire, the query pairs, the method. */
  readonly wire: Attempt
  readonly body: string | undefined
  readonly decode: Prepared["decode"]
}
