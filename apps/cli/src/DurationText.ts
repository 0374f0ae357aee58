/**
 * Durations on the command line, in cdn-core's one syntax (`2s`, `500ms`, `10m`, `1h30m`, `2 seconds`, milliseconds),
 * and elapsed time as progress lines show it.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Durations from "@org/cdn-core/Durations"
import { type Duration, Either, type Option } from "effect"

/** A positive duration, or why the text is not one. */
export const parse = (text: string): Either.Either<Duration.Duration, string> => Durations.decodePositive(text)

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
