/**
 * One duration syntax everywhere, in CLI flags, environment variables and library options alike: `500ms`, `2s`,
 * `10m`, `1h30m`, `2 seconds`, `1.5 minutes`, or a number of milliseconds.
 */
import { Config, ConfigError, Duration, Either } from "effect"

/** What a duration may be given as: text in the syntax above, milliseconds, or a `Duration`. */
export type DurationText = string | number | Duration.Duration

const unitMillis: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(ms|millis?|milliseconds?)$/, 1],
  [/^(s|secs?|seconds?)$/, 1_000],
  [/^(m|mins?|minutes?)$/, 60_000],
  [/^(h|hours?)$/, 3_600_000],
  [/^(d|days?)$/, 86_400_000]
]
const part = /\s*(\d+(?:\.\d+)?)\s*([a-z]+)/y

const example = "such as 500ms, 2s, 10m, 1h30m or 2 seconds"

/** The duration `value` stands for (at least 0), or why it is none. */
export const decode = (value: unknown): Either.Either<Duration.Duration, string> => {
  if (Duration.isDuration(value)) return Either.right(value)
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0
      ? Either.right(Duration.millis(value))
      : Either.left(`must be a number of milliseconds >= 0, got ${value}`)
  }
  if (typeof value !== "string") return Either.left(`must be a duration ${example}`)
  const text = value.trim().toLowerCase()
  const bad = Either.left(`must be a duration ${example}, got ${JSON.stringify(value.slice(0, 80))}`)
  if (text === "") return bad
  if (/^\d+(\.\d+)?$/.test(text)) return Either.right(Duration.millis(Number(text)))
  let millis = 0
  part.lastIndex = 0
  while (part.lastIndex < text.length) {
    const match = part.exec(text)
    if (match === null) return bad
    const unit = unitMillis.find(([pattern]) => pattern.test(match[2] as string))
    if (unit === undefined) return bad
    millis += Number(match[1]) * unit[1]
  }
  return Either.right(Duration.millis(Math.round(millis)))
}

/** The same, more than zero (a timeout, an interval). */
export const decodePositive = (value: unknown): Either.Either<Duration.Duration, string> =>
  Either.flatMap(decode(value), (duration) =>
    Duration.toMillis(duration) > 0 ? Either.right(duration) : Either.left(`must be more than 0, got ${String(value)}`)
  )

/** A duration from the environment variable `name`, in the one syntax. */
export const config = (name: string, options: { readonly positive?: boolean } = {}): Config.Config<Duration.Duration> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapLeft((options.positive ? decodePositive : decode)(text), (why) => ConfigError.InvalidData([], why))
    )
  )
