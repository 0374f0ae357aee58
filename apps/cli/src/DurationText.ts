/**
 * Durations as people type them on a command line: `2s`, `500ms`, `10m`, `1h30m`.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import { Duration, Either, type Option } from "effect"

const unitMillis: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }
const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y

/** A positive duration from `<number><unit>` parts (units ms, s, m, h), or why the text is not one. */
export const parse = (text: string): Either.Either<Duration.Duration, string> => {
  const input = text.trim()
  const bad = Either.left(`expected a duration such as 2s, 500ms, 10m or 1h30m, got ${JSON.stringify(text)}`)
  if (input === "") return bad
  let millis = 0
  part.lastIndex = 0
  while (part.lastIndex < input.length) {
    const match = part.exec(input)
    if (match === null) return bad
    millis += Number(match[1]) * unitMillis[match[2]!]!
  }
  return millis > 0
    ? Either.right(Duration.millis(Math.round(millis)))
    : Either.left(`must be more than 0, got ${text}`)
}

/** Elapsed time for progress lines: `45s`, `2m05s`, `1h02m`. */
export const formatElapsed = (millis: number): string => {
  const seconds = Math.floor(millis / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`
}

/** A `--name <duration>` option, read with `parse`; a bad value is a usage error naming the option. */
export const option = (name: string, description: string): Options.Options<Duration.Duration> =>
  Options.text(name).pipe(
    Options.withPseudoName("duration"),
    Options.withDescription(description),
    Options.mapEffect((text) =>
      Either.mapLeft(parse(text), (why) => ValidationError.invalidValue(HelpDoc.p(`--${name}: ${why}`)))
    )
  )

/** A single call's `--timeout`: its deadline across all attempts [env AZURE_CDN_MAX_RETRY_TIME; default 60s]. */
export const callTimeout: Options.Options<Option.Option<Duration.Duration>> = option(
  "timeout",
  "The call's deadline across all its attempts, e.g. 30s, 2m [env AZURE_CDN_MAX_RETRY_TIME; default 60s]"
).pipe(Options.optional)
