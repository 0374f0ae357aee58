/**
 * Waiting for an operation with the progress line on stderr: what `operation wait`, `purge --wait`, `preload --wait`
 * and the endpoint changes' `--wait` share.
 */
import * as Options from "@effect/cli/Options"
import type { CdnClient } from "@org/cdn-core/CdnClient"
import type { CdnError } from "@org/cdn-core/Errors"
import type { Operation } from "@org/cdn-core/Operation"
import { type WaitTimedOut, waitForOperation } from "@org/cdn-core/Waiter"
import { type Duration, Effect, Either } from "effect"
import * as DurationText from "./DurationText.js"
import * as Progress from "./Progress.js"

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

/** Polls the operation until it ends, drawing progress on stderr (live on a terminal, lines otherwise). */
export const withProgress = (
  ref: { readonly subscriptionId: string; readonly endpointId: string; readonly operationId: string },
  options: { readonly interval: Duration.Duration; readonly timeout: Duration.Duration }
): Effect.Effect<Operation, CdnError | WaitTimedOut, CdnClient> =>
  Effect.scoped(
    Effect.gen(function* () {
      const progress = yield* Progress.make(ref.operationId.toLowerCase(), process.stderr.isTTY === true)
      return yield* waitForOperation(ref, {
        ...options,
        onProgress: progress.report,
        onMissedPoll: progress.missed
      }).pipe(Effect.ensuring(progress.finish))
    })
  )
