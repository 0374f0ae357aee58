/**
 * Waiting for an operation: poll until it is `Succeeded` or `Failed`, within a deadline.
 */
import { Clock, Duration, Effect, Schema } from "effect"
import { CdnClient, type OperationRefInput } from "./CdnClient.js"
import type { CdnError } from "./Errors.js"
import { isTerminal, type Operation } from "./Operation.js"

/** The deadline passed before the operation finished. */
export class WaitTimedOut extends Schema.TaggedError<WaitTimedOut>()("WaitTimedOut", {
  message: Schema.String,
  operationId: Schema.String,
  timeoutMs: Schema.Number,
  /** The status seen last, if any poll answered. */
  lastStatus: Schema.optional(Schema.String)
}) {}

/** One poll's outcome, for progress reports. */
export interface Progress {
  readonly operation: Operation
  /** Polls so far, this one included. */
  readonly polls: number
  readonly elapsedMs: number
}

export interface WaitOptions {
  /** Time between polls; default 2 seconds. */
  readonly interval?: Duration.DurationInput
  /** Give up after this long; default 10 minutes. */
  readonly timeout?: Duration.DurationInput
  /** Called with every status observed, the terminal one included. */
  readonly onProgress?: (progress: Progress) => Effect.Effect<void>
}

/** Polls until the operation is terminal and returns it. Interrupting the fiber stops the polling. */
export const waitForOperation = (
  ref: OperationRefInput,
  options: WaitOptions = {}
): Effect.Effect<Operation, CdnError | WaitTimedOut, CdnClient> =>
  Effect.gen(function* () {
    const client = yield* CdnClient
    const interval = Duration.decode(options.interval ?? "2 seconds")
    const timeout = Duration.decode(options.timeout ?? "10 minutes")
    const started = yield* Clock.currentTimeMillis
    // Plain locals: one fiber polls, and the timeout message needs them synchronously.
    let polls = 0
    let lastSeen: Operation | undefined

    const poll: Effect.Effect<Operation, CdnError> = Effect.gen(function* () {
      const operation = yield* client.getOperation(ref)
      polls += 1
      lastSeen = operation
      const elapsedMs = (yield* Clock.currentTimeMillis) - started
      if (options.onProgress) yield* options.onProgress({ operation, polls, elapsedMs })
      if (isTerminal(operation.status)) return operation
      yield* Effect.sleep(interval)
      return yield* poll
    })

    return yield* Effect.timeoutFail(poll, {
      duration: timeout,
      onTimeout: () => {
        const operationId = ref.operationId.trim().toLowerCase()
        const seen = lastSeen === undefined ? "" : ` (last status: ${lastSeen.status})`
        return new WaitTimedOut({
          operationId,
          timeoutMs: Duration.toMillis(timeout),
          message: `operation ${operationId} did not finish within ${Duration.format(timeout)}${seen}`,
          ...(lastSeen === undefined ? {} : { lastStatus: lastSeen.status })
        })
      }
    })
  })
