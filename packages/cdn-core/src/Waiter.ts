/**
 * Waiting for an operation: poll until it is `Succeeded` or `Failed`, within a deadline.
 */
import { Clock, Duration, Effect, Either, Schema } from "effect"
import type { AsyncResult } from "./AsyncResult.js"
import * as CdnApi from "./CdnApi.js"
import { CdnClient, type CdnResponse, type OperationRefInput } from "./CdnClient.js"
import type { PreloadInput, PreloadResult, PurgeInput, PurgeResult } from "./Content.js"
import type { DurationText } from "./Durations.js"
import * as Durations from "./Durations.js"
import { type CdnError, InvalidInput, unreadable } from "./Errors.js"
import type { OperationId } from "./Ids.js"
import { endsWait, type Operation } from "./Operation.js"
import * as Retry from "./Retry.js"

/** The deadline passed before the operation finished. */
export class WaitTimedOut extends Schema.TaggedError<WaitTimedOut>()("WaitTimedOut", {
  message: Schema.String,
  operationId: Schema.String,
  timeoutMs: Schema.Number,
  /** The status seen last, if any poll answered. */
  lastStatus: Schema.optional(Schema.String),
  /** Polls that failed transiently (throttled, a gateway error, a dropped connection, a timeout). */
  missedPolls: Schema.optionalWith(Schema.Number, { default: () => 0 })
}) {}

/** One poll's outcome, for progress reports. */
export interface Progress {
  /** The status seen last (this poll's when it answered). */
  readonly operation: Operation
  /** The poll's `X-Correlation-Id`, to quote to support (an undocumented status, a failure). */
  readonly correlationId: string | undefined
  /** Polls so far, this one included. */
  readonly polls: number
  /** Polls so far that failed transiently and were let go. */
  readonly missedPolls: number
  readonly elapsedMs: number
}

/** A poll that failed transiently: the wait goes on after `retryInMs`. */
export interface MissedPoll {
  readonly error: CdnError
  readonly polls: number
  readonly missedPolls: number
  readonly elapsedMs: number
  readonly retryInMs: number
}

export interface WaitOptions {
  /** Time between polls, in the one duration syntax (`2s`, `500ms`, a number of milliseconds); default 2 seconds. */
  readonly interval?: DurationText
  /** Give up after this long (the same syntax); default 10 minutes. */
  readonly timeout?: DurationText
  /** Called with every status observed, the terminal one included. */
  readonly onProgress?: (progress: Progress) => Effect.Effect<void>
  /** Called for every poll that failed transiently and was let go. */
  readonly onMissedPoll?: (missed: MissedPoll) => Effect.Effect<void>
}

/** The interval and timeout of a wait, or `InvalidInput` naming the option: checked before anything is sent. */
export const checkWaitOptions = (
  options: Pick<WaitOptions, "interval" | "timeout">
): Effect.Effect<{ readonly interval: Duration.Duration; readonly timeout: Duration.Duration }, InvalidInput> => {
  const interval = Durations.decodePositive(options.interval ?? "2s")
  if (Either.isLeft(interval))
    return Effect.fail(new InvalidInput({ field: "interval", message: `interval ${interval.left}` }))
  const timeout = Durations.decodePositive(options.timeout ?? "10m")
  if (Either.isLeft(timeout))
    return Effect.fail(new InvalidInput({ field: "timeout", message: `timeout ${timeout.left}` }))
  return Effect.succeed({ interval: interval.right, timeout: timeout.right })
}

// After transient failures in a row the next poll backs off, doubling from the interval up to this.
const maxBackoffMs = 30_000

/**
 * Polls until the operation is terminal (or reports a status the documents do not list) and returns it. A poll that
 * fails transiently (`Retry.isRetryable`: throttled, 5xx, a dropped or refused connection, a timeout) is a missed
 * poll: the wait backs off and goes on until the deadline. A permanent failure (authentication, not found, invalid
 * input) ends it at once. Interrupting the fiber stops the polling.
 */
export const waitForOperation = (
  ref: OperationRefInput,
  options: WaitOptions = {}
): Effect.Effect<Operation, CdnError | WaitTimedOut, CdnClient> =>
  Effect.gen(function* () {
    const client = yield* CdnClient
    const { interval, timeout } = yield* checkWaitOptions(options)
    const intervalMs = Duration.toMillis(interval)
    const started = yield* Clock.currentTimeMillis
    // Plain locals: one fiber polls, and the timeout message needs them synchronously.
    let polls = 0
    let missedPolls = 0
    let missedInARow = 0
    let lastSeen: Operation | undefined
    let lastError: CdnError | undefined

    const missed = (error: CdnError): Effect.Effect<void> =>
      Effect.gen(function* () {
        missedPolls += 1
        missedInARow += 1
        lastError = error
        const backoff = Math.min(Math.max(intervalMs, maxBackoffMs), intervalMs * 2 ** (missedInARow - 1))
        const retryInMs = "retryAfterMs" in error && error.retryAfterMs !== undefined ? error.retryAfterMs : backoff
        const elapsedMs = (yield* Clock.currentTimeMillis) - started
        if (options.onMissedPoll) yield* options.onMissedPoll({ error, polls, missedPolls, elapsedMs, retryInMs })
        yield* Effect.sleep(retryInMs)
      })

    const poll: Effect.Effect<Operation, CdnError> = Effect.gen(function* () {
      polls += 1
      const answer = yield* Effect.either(client.getOperationResponse(ref))
      if (answer._tag === "Left") {
        if (!Retry.isRetryable(answer.left)) return yield* answer.left
        yield* missed(answer.left)
        return yield* poll
      }
      const operation = answer.right.value
      const correlationId = answer.right.correlationId
      missedInARow = 0
      lastSeen = operation
      const elapsedMs = (yield* Clock.currentTimeMillis) - started
      if (options.onProgress) yield* options.onProgress({ operation, correlationId, polls, missedPolls, elapsedMs })
      if (endsWait(operation.status)) return operation
      yield* Effect.sleep(interval)
      return yield* poll
    })

    return yield* Effect.timeoutFail(poll, {
      duration: timeout,
      onTimeout: () => {
        const operationId = ref.operationId.trim().toLowerCase()
        const notes = [
          ...(lastSeen === undefined ? [] : [`last status: ${lastSeen.status}`]),
          ...(missedPolls === 0
            ? []
            : [`${missedPolls} poll${missedPolls === 1 ? "" : "s"} missed, the last: ${lastError?._tag ?? "?"}`])
        ]
        const why = notes.length === 0 ? "" : ` (${notes.join("; ")})`
        return new WaitTimedOut({
          operationId,
          timeoutMs: Duration.toMillis(timeout),
          message: `operation ${operationId} did not finish within ${Duration.format(timeout)}${why}`,
          missedPolls,
          ...(lastSeen === undefined ? {} : { lastStatus: lastSeen.status })
        })
      }
    })
  })

/** A finished purge or preload: its operation (Succeeded or Failed) and the per-item results. */
export interface Finished<R> {
  /** The `TaskTrackId`: purge or preload id, and operation id. */
  readonly id: OperationId
  readonly operation: Operation
  readonly result: R
}

// An accepted write names the id to follow; an answer without one cannot be followed.
const trackId = (response: CdnResponse<AsyncResult>): Effect.Effect<OperationId, CdnError> => {
  const id = response.value.taskTrackId
  return id !== undefined
    ? Effect.succeed(id)
    : Effect.fail(
        unreadable(
          "unexpected-shape",
          response.body,
          {
            status: response.status,
            correlationId: response.correlationId,
            retryAfterMs: undefined,
            serverDate: undefined
          },
          "AsyncInfo.TaskTrackId: missing"
        )
      )
}

type Ids = { readonly subscriptionId: string; readonly endpointId: string }

/** A started write, and when it was followed, what following it gave. */
export interface Started<F> {
  readonly accepted: AsyncResult
  /** Undefined when the write was not followed (no follower, or the answer named no operation). */
  readonly followed: F | undefined
}

/**
 * The flow every "start, then follow the operation" shares: the wait's options checked before the write is sent (so
 * that no caller loses the operation's id), the write sent once, then its operation followed by `follow` (for
 * instance `waitForOperation`, or a follower that also draws progress). Without `follow`, the write alone.
 */
export const startThenFollow = <E, R, F, E2, R2>(
  start: Effect.Effect<AsyncResult, E, R>,
  ids: Ids,
  follow:
    | ((ref: {
        readonly subscriptionId: string
        readonly endpointId: string
        readonly operationId: string
      }) => Effect.Effect<F, E2, R2>)
    | undefined,
  options: WaitOptions = {}
): Effect.Effect<Started<F>, E | E2 | CdnError, R | R2> =>
  Effect.gen(function* () {
    if (follow !== undefined) yield* checkWaitOptions(options)
    const accepted = yield* start
    const id = accepted.taskTrackId
    if (follow === undefined || id === undefined) return { accepted, followed: undefined }
    const followed = yield* follow({ subscriptionId: ids.subscriptionId, endpointId: ids.endpointId, operationId: id })
    return { accepted, followed }
  })

const startAndWait = <R>(
  start: (client: CdnClient) => Effect.Effect<CdnResponse<AsyncResult>, CdnError>,
  input: Ids,
  results: (client: CdnClient, ids: Ids, id: OperationId) => Effect.Effect<R, CdnError>,
  options: WaitOptions
): Effect.Effect<Finished<R>, CdnError | WaitTimedOut, CdnClient> =>
  Effect.gen(function* () {
    const client = yield* CdnClient
    const ids = { subscriptionId: input.subscriptionId, endpointId: input.endpointId }
    // An accepted write that names no operation cannot be waited for: a typed error, with the body that said so.
    const started = yield* startThenFollow(
      Effect.flatMap(start(client), (response) => Effect.as(trackId(response), response.value)),
      ids,
      (ref) => waitForOperation(ref, options),
      options
    )
    const id = started.accepted.taskTrackId as OperationId
    return { id, operation: started.followed as Operation, result: yield* results(client, ids, id) }
  })

/**
 * Purges, waits until the operation is terminal, and returns it with the per-item results. The purge itself is
 * sent once: it is never re-sent after a timeout (see `Retry.isSafeToResend`).
 */
export const purgeAndWait = (
  input: PurgeInput,
  options: WaitOptions = {}
): Effect.Effect<Finished<PurgeResult>, CdnError | WaitTimedOut, CdnClient> =>
  startAndWait(
    (client) => client.request(CdnApi.calls.purge, input),
    input,
    (client, ids, purgeId) => client.getPurge({ ...ids, purgeId }),
    options
  )

/** Preloads, waits until the operation is terminal, and returns it with the per-item results. */
export const preloadAndWait = (
  input: PreloadInput,
  options: WaitOptions = {}
): Effect.Effect<Finished<PreloadResult>, CdnError | WaitTimedOut, CdnClient> =>
  startAndWait(
    (client) => client.request(CdnApi.calls.preload, input),
    input,
    (client, ids, preloadId) => client.getPreload({ ...ids, preloadId }),
    options
  )
