/**
 * The time range every traffic command takes: `--from` and `--to`, as a time, `now`, or a time ago.
 */
import * as Options from "@effect/cli/Options"
import { Clock, Effect, Either } from "effect"
import { UsageError } from "./CliErrors.js"
import * as TimeText from "./TimeText.js"

/** `--from` (by default `since` ago) and `--to` (by default now). */
export const rangeOptions = (since: string) => ({
  from: Options.text("from").pipe(
    Options.withPseudoName("time"),
    Options.withDescription(`Start: 2024-01-01T00:00:00Z, now, or a time ago such as 24h or 7d [default ${since}]`),
    Options.withDefault(since)
  ),
  to: Options.text("to").pipe(
    Options.withPseudoName("time"),
    Options.withDescription("End, written the same way [default now]"),
    Options.withDefault("now")
  )
})

export const range = rangeOptions("24h")

/** The range asked for, in order; the core checks its length before anything is sent. */
export const times = (from: string, to: string) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.all({
      startTime: Either.mapLeft(TimeText.parse(from, now), (why) => new UsageError({ message: `--from: ${why}` })),
      endTime: Either.mapLeft(TimeText.parse(to, now), (why) => new UsageError({ message: `--to: ${why}` }))
    }).pipe(
      Effect.filterOrFail(
        ({ startTime, endTime }) => startTime < endTime,
        ({ startTime, endTime }) =>
          new UsageError({
            message: `--from (${new Date(startTime).toISOString()}) must be before --to (${new Date(endTime).toISOString()})`
          })
      ),
      Effect.map(({ startTime, endTime }) => ({ startTime: new Date(startTime), endTime: new Date(endTime) }))
    )
  )
