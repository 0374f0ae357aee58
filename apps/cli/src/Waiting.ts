/**
 * Waiting for an operation with the progress line on stderr: what `operation wait`, `purge --wait`, `preload --wait`
 * and the endpoint changes' `--wait` share.
 */
import * as Options from "@effect/cli/Options"
import type { AsyncResult } from "@org/cdn-core/AsyncResult"
import type { CdnClient } from "@org/cdn-core/CdnClient"
import type { CdnError } from "@org/cdn-core/Errors"
import { bounded } from "@org/cdn-core/Errors"
import { isUndocumented, type Operation } from "@org/cdn-core/Operation"
import { type Started, startThenFollow, type WaitTimedOut, waitForOperation } from "@org/cdn-core/Waiter"
import { type Duration, Effect, Either } from "effect"
import * as DurationText from "./DurationText.js"
import * as Progress from "./Progress.js"
import * as Stderr from "./Stderr.js"

const duration = (name: string, fallback: string, description: string) =>
  DurationText.option(name, description).pipe(Options.withDefault(Either.getOrThrow(DurationText.parse(fallback))))

/** `--interval` and `--timeout` of a wait. */
export const waitOptions = {
  interval: duration("interval", "2s", "Time between polls while waiting, e.g. 500ms, 2s, 1m"),
  timeout: duration("timeout", "10m", "Give up waiting after this long (exit code 5), e.g. 30s, 10m, 1h")
}

/** `--wait`: follow the operation to its end. */
export const waitFlag = Options.boolean("wait").pipe(
  Options.withDescription(
    "Follow the operation to its end, with a status line on stderr (exit 4 if it Failed, 5 at --timeout)"
  )
)

/** An operation followed to its end, and the correlation id of the poll that saw it end. */
export interface Followed {
  readonly operation: Operation
  readonly correlationId: string | undefined
}

/** Polls the operation until it ends, drawing progress on stderr (live on a terminal, lines otherwise). */
export const withProgress = (
  ref: { readonly subscriptionId: string; readonly endpointId: string; readonly operationId: string },
  options: { readonly interval: Duration.Duration; readonly timeout: Duration.Duration }
): Effect.Effect<Followed, CdnError | WaitTimedOut, CdnClient> =>
  Effect.scoped(
    Effect.gen(function* () {
      const progress = yield* Progress.make(ref.operationId.toLowerCase(), process.stderr.isTTY === true)
      let correlationId: string | undefined
      const operation = yield* waitForOperation(ref, {
        ...options,
        onProgress: (seen) => {
          correlationId = seen.correlationId
          return progress.report(seen)
        },
        onMissedPoll: progress.missed
      }).pipe(Effect.ensuring(progress.finish))
      return { operation, correlationId }
    })
  )

/**
 * How an operation that did not succeed ended, for a person: `as Failed: …message`, or a status the documents do not
 * list, named with the correlation id to quote to support.
 */
export const endedAs = ({ operation, correlationId }: Followed): string => {
  const said = operation.message === null ? "" : `: ${bounded(operation.message)}`
  return isUndocumented(operation.status)
    ? `with the undocumented status ${bounded(JSON.stringify(operation.status), 80)}${said} (correlation id ${correlationId ?? "none"})`
    : `as ${operation.status}${said}`
}

/**
 * Starts a write and, with `--wait`, follows its operation with the progress line: the one "start, then follow" of
 * every command (core's `startThenFollow`), the id said on stderr once the write is accepted.
 */
export const started = <E, R>(
  what: string,
  ids: { readonly subscriptionId: string; readonly endpointId: string },
  start: Effect.Effect<AsyncResult, E, R>,
  options: { readonly wait: boolean; readonly interval: Duration.Duration; readonly timeout: Duration.Duration }
): Effect.Effect<Started<Followed>, E | CdnError | WaitTimedOut, R | CdnClient> =>
  startThenFollow(
    start,
    ids,
    options.wait
      ? (ref) => Effect.zipRight(Stderr.line(`azcdn: ${what} ${ref.operationId} accepted`), withProgress(ref, options))
      : undefined,
    options
  )
