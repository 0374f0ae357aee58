/**
 * Log lines on stderr, one readable line each, so that stdout stays the command's result. `--verbose` lowers the
 * level to Debug, where the core logs one line per HTTP attempt and per retry decision.
 */
import { type Effect, HashMap, type Layer, Logger, LogLevel, Option, Redacted } from "effect"

const text = (value: unknown): string => {
  // The core never logs a secret; a Redacted value would print as <redacted> all the same.
  if (Redacted.isRedacted(value)) return "<redacted>"
  return typeof value === "string" ? value : JSON.stringify(value)
}

/** One line from a log entry: the core's two messages read as sentences, anything else as `message key=value`. */
export const logLine = (level: LogLevel.LogLevel, message: unknown, annotations: HashMap.HashMap<string, unknown>) => {
  const parts = Array.isArray(message) ? message : [message]
  const said = parts.map(text).join(" ")
  const get = (key: string) => Option.match(HashMap.get(annotations, key), { onNone: () => "-", onSome: text })
  let body: string
  if (said === "http attempt") {
    body = `${get("method")} ${get("path")} -> ${get("status")} in ${get("durationMs")} ms, correlation id ${get("correlationId")}`
  } else if (said === "retrying") {
    body = `retrying in ${get("retryDelayMs")} ms after ${get("error")} (attempt ${get("attempt")} failed)`
  } else {
    const pairs = HashMap.reduce(annotations, [] as Array<string>, (acc, value, key) => [
      ...acc,
      `${key}=${text(value)}`
    ])
    body = [said, ...pairs].join(" ")
  }
  return `[${level.label.toLowerCase()}] ${body}`
}

// On a terminal a log line replaces `operation wait`'s live status line, which is redrawn below it.
const clearLiveLine = (): string => (process.stderr.isTTY ? "\r\x1b[2K" : "")

/** Writes each log entry as one line on stderr. */
export const stderrLogger = Logger.make(({ logLevel, message, annotations }) => {
  process.stderr.write(`${clearLiveLine()}${logLine(logLevel, message, annotations)}\n`)
})

/** Replaces Effect's default logger, which writes to stdout, with the stderr one. */
export const layer: Layer.Layer<never> = Logger.replace(Logger.defaultLogger, stderrLogger)

/** With `--verbose`, the core's debug lines show. */
export const withVerbosity =
  (verbose: boolean) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    verbose ? Logger.withMinimumLogLevel(effect, LogLevel.Debug) : effect
