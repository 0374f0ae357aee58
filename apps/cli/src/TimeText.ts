/**
 * Times as people type them for a traffic range: an ISO-8601 time with its zone, `now`, or a duration ago (`24h`,
 * `-7d`… as `-24h`).
 */
import { Duration, Either } from "effect"
import * as DurationText from "./DurationText.js"

const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i

/** Epoch milliseconds for `text` at `now`, or why it is not a time. */
export const parse = (text: string, now: number): Either.Either<number, string> => {
  const input = text.trim()
  if (input === "now") return Either.right(now)
  if (zoned.test(input)) return Either.right(Date.parse(input))
  const days = /^-?(\d+)d$/.exec(input)
  if (days !== null) return Either.right(now - Number(days[1]) * 86_400_000)
  const ago = DurationText.parse(input.replace(/^-/, ""))
  if (Either.isRight(ago)) return Either.right(now - Duration.toMillis(ago.right))
  return Either.left(
    `expected a time such as 2024-01-01T00:00:00Z (with its zone), now, or a time ago such as 24h or 7d; got ${JSON.stringify(text).slice(0, 80)}`
  )
}
