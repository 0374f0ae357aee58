/**
 * `operation wait`'s progress on stderr: a live status line with elapsed time on a terminal, plain lines otherwise.
 */
import type { Operation } from "@org/cdn-core/Operation"
import type * as Waiter from "@org/cdn-core/Waiter"
import { Clock, Effect, type Scope } from "effect"
import { formatElapsed } from "./DurationText.js"

export interface ProgressReporter {
  /** Called by the waiter with every poll's result. */
  readonly report: (progress: Waiter.Progress) => Effect.Effect<void>
  /** Called by the waiter for a poll that failed transiently: the wait goes on. */
  readonly missed: (missed: Waiter.MissedPoll) => Effect.Effect<void>
  /** Ends the report: the live line is replaced by a final one. */
  readonly finish: Effect.Effect<void>
}

/** The text of one progress line; missed polls (transient failures the wait let go) are counted when there are any. */
export const progressLine = (
  operationId: string,
  status: string,
  elapsedMs: number,
  polls: number,
  missedPolls = 0
): string => {
  const missed = missedPolls === 0 ? "" : `, ${missedPolls} missed`
  return `operation ${operationId}: ${status} (${formatElapsed(elapsedMs)} elapsed, ${polls} ${polls === 1 ? "poll" : "polls"}${missed})`
}

/** The line for a missed poll: what failed, and when the next poll goes. */
export const missedLine = (operationId: string, missed: Waiter.MissedPoll): string =>
  `operation ${operationId}: poll missed (${missed.error._tag}), polling again in ${formatElapsed(missed.retryInMs)}; ${missed.missedPolls} missed so far`

// A line for an unchanged status now and then, so that a CI log shows the wait is alive.
const heartbeatMs = 30_000

const write = (text: string) => Effect.sync(() => process.stderr.write(text))

/** Plain lines: one per status change, and a heartbeat while it stays the same. */
const plain = (operationId: string): ProgressReporter => {
  let lastStatus: Operation["status"] | undefined
  let lastPrintedMs = 0
  return {
    report: ({ operation, polls, missedPolls, elapsedMs }) => {
      if (operation.status === lastStatus && elapsedMs - lastPrintedMs < heartbeatMs) return Effect.void
      lastStatus = operation.status
      lastPrintedMs = elapsedMs
      return write(`${progressLine(operationId, operation.status, elapsedMs, polls, missedPolls)}\n`)
    },
    missed: (missed) => write(`${missedLine(operationId, missed)}\n`),
    finish: Effect.void
  }
}

const clearLine = "\r\x1b[2K"

/** A live line, redrawn every second so that the elapsed time runs between polls. */
const live = (operationId: string): Effect.Effect<ProgressReporter, never, Scope.Scope> =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    let status = "waiting for the first answer"
    let polls = 0
    let missedPolls = 0
    let done = false
    const line = (now: number) => progressLine(operationId, status, now - started, polls, missedPolls)
    const draw = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      done ? Effect.void : write(`${clearLine}${line(now)}`)
    )
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(draw, Effect.sleep("1 second"))))
    return {
      report: (progress) =>
        Effect.suspend(() => {
          status = progress.operation.status
          polls = progress.polls
          missedPolls = progress.missedPolls
          return draw
        }),
      missed: (missed) =>
        Effect.suspend(() => {
          polls = missed.polls
          missedPolls = missed.missedPolls
          return draw
        }),
      finish: Effect.suspend(() => {
        done = true
        return Effect.flatMap(Clock.currentTimeMillis, (now) => write(`${clearLine}${line(now)}\n`))
      })
    }
  })

/** The reporter that fits stderr: live on a terminal, plain lines in a pipe or a file. */
export const make = (operationId: string, isTerminal: boolean): Effect.Effect<ProgressReporter, never, Scope.Scope> =>
  isTerminal ? live(operationId) : Effect.succeed(plain(operationId))
