/**
 * Durations as people type them on a command line: `2s`, `500ms`, `10m`, `1h30m`.
 */
import { Duration, Either } from "effect"

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
