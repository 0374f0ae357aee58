/**
 * Which failures are worth another attempt, and when: the retry policy as a `Schedule` the caller can replace.
 */
import { Context, Duration, Effect, Random, Schedule, ScheduleDecision, ScheduleInterval } from "effect"
import type { RetryLimits } from "./CdnConfig.js"
import type { CdnError } from "./Errors.js"

const transientStatuses: ReadonlySet<number> = new Set([500, 502, 503, 504])

// Failures no retry can help: an unknown host, TLS refused or mismatched, a port the runtime will not use, an answer
// that is not HTTP. (EAI_AGAIN, a resolver that did not answer in time, is transient.)
const permanentCodes: ReadonlySet<string> = new Set([
  "ENOTFOUND",
  "ERR_TLS_MISMATCH",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_BAD_PORT",
  "ERR_NOT_HTTP",
  "ERR_DECOMPRESSION",
  "ERR_HEADERS_OVERFLOW",
  "ERR_BODY_TOO_LONG"
])

/** True for a transport failure that no retry can help. */
export const isPermanentTransportFailure = (code: string | undefined): boolean =>
  code !== undefined && (permanentCodes.has(code) || code.startsWith("HPE_"))

/**
 * Retried: throttling, a dropped or refused connection, a per-attempt timeout, `InternalError` and a
 * 500/502/503/504 (a write only when certainly not executed: see `isSafeToResend`). Not retried: everything else,
 * and transport failures no retry can help (an unknown host, TLS, an answer that is not HTTP).
 */
export const isRetryable = (error: CdnError): boolean => {
  switch (error._tag) {
    case "RequestThrottled":
    case "RequestTimeout":
    case "InternalError":
      return true
    case "TransportError":
      return !isPermanentTransportFailure(error.code)
    case "InvalidInput":
    case "UnexpectedRedirect":
      return false
    default:
      return transientStatuses.has(error.status)
  }
}

/** The response's `Retry-After` in milliseconds: either delay-seconds or an HTTP date. */
export const parseRetryAfter = (header: string | undefined, nowMillis: number): number | undefined => {
  if (header === undefined) return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Every HTTP-date form starts with a day name; Date.parse would read "-1" or "1.5" as a date in 2001.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMillis)
}

/** What the policy decided after a failed attempt: told to the logs and to progress reports. */
export interface RetryStep {
  readonly attempt: number
  readonly error: CdnError
  /** How long until the next attempt; undefined when there is none. */
  readonly delayMs: number | undefined
}

/** The policy: a `Schedule` fed with each failure. */
export type RetryPolicy = Schedule.Schedule<RetryStep, CdnError>

/** Overrides the policy built from `CdnConfig`'s retry limits. */
export class Policy extends Context.Tag("@org/cdn-core/RetryPolicy")<Policy, RetryPolicy>() {}

const retryAfterOf = (error: CdnError): number | undefined => ("retryAfterMs" in error ? error.retryAfterMs : undefined)

/**
 * Exponential backoff with jitter (each delay drawn between half and all of `baseDelay * 2^(n-1)`, capped at
 * `maxDelay`), or exactly the `Retry-After` the service asked for; bounded by `maxAttempts` and by `maxElapsed`,
 * counting the delay about to be slept.
 */
export const policy = (limits: RetryLimits): RetryPolicy =>
  Schedule.makeWithState<{ attempt: number; start: number | undefined }, CdnError, RetryStep, never>(
    { attempt: 1, start: undefined },
    (now, error, state) =>
      Effect.gen(function* () {
        const start = state.start ?? now
        const next = { attempt: state.attempt + 1, start }
        const stop = [next, { attempt: state.attempt, error, delayMs: undefined }, ScheduleDecision.done] as const
        if (!isRetryable(error) || state.attempt >= limits.maxAttempts) return stop
        const ceiling = Math.min(
          Duration.toMillis(limits.maxDelay),
          Duration.toMillis(limits.baseDelay) * 2 ** (state.attempt - 1)
        )
        const delayMs = retryAfterOf(error) ?? Math.round(ceiling * (0.5 + (yield* Random.next) / 2))
        if (now - start + delayMs > Duration.toMillis(limits.maxElapsed)) return stop
        return [
          next,
          { attempt: state.attempt, error, delayMs },
          ScheduleDecision.continueWith(ScheduleInterval.after(now + delayMs))
        ] as const
      })
  )

/** No retries at all. */
export const none: RetryPolicy = policy({
  maxAttempts: 1,
  maxElapsed: Duration.zero,
  baseDelay: Duration.zero,
  maxDelay: Duration.zero
})

/**
 * A write (POST, PUT, DELETE) is re-sent only when the service certainly did not carry it out: it throttled the
 * request, or the connection was refused before anything was sent. After a timeout or a dropped connection the
 * purge may have started: re-sending it would spend the quota twice, so the caller gets the error instead.
 */
export const isSafeToResend = (error: CdnError): boolean =>
  error._tag === "RequestThrottled" || (error._tag === "TransportError" && error.code === "ECONNREFUSED")
