/**
 * Log lines: one JSON object per line on stdout, batched for up to 50 ms (or 64 KiB) so that a busy proxy makes one
 * write for many requests. Effect's own log calls go through the same writer. Only named fields are written, never a
 * request's headers: no token, key or Authorization header can reach a line.
 */
import { Cause, HashMap, type Layer, Logger, type LogLevel } from "effect"

let pending = ""
let scheduled = false

/** Writes what is pending now; also called before the process exits. */
export const flush = (): void => {
  scheduled = false
  if (pending === "") return
  const out = pending
  pending = ""
  process.stdout.write(out)
}

// Many lines fall in the same millisecond: format its time once.
let lastMillis = 0
let lastTime = ""
const timeNow = (): string => {
  const now = Date.now()
  if (now !== lastMillis) {
    lastMillis = now
    lastTime = JSON.stringify(new Date(now).toISOString())
  }
  return lastTime
}

/** Queues one line: `{"time", "level", "msg", ...fields}`. */
export const write = (level: string, msg: string, fields: Record<string, unknown>): void => {
  const rest = JSON.stringify(fields)
  pending += `{"time":${timeNow()},"level":"${level}","msg":${JSON.stringify(msg)}${rest === "{}" ? "}" : `,${rest.slice(1)}`}\n`
  if (pending.length > 65_536) flush()
  else if (!scheduled) {
    scheduled = true
    // A write per request would cost more than the request; unref: a pending flush never keeps the process alive.
    setTimeout(flush, 50).unref()
  }
}

const levelName = (level: LogLevel.LogLevel): string => level.label.toLowerCase()

/** Effect's logger, writing the same lines: annotations become fields. */
export const logger = Logger.make(({ logLevel, message, annotations, cause }) => {
  const fields: Record<string, unknown> = {}
  for (const [key, value] of HashMap.toEntries(annotations)) fields[key] = value
  if (!Cause.isEmpty(cause)) fields.cause = Cause.pretty(cause)
  const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
  write(levelName(logLevel), text, fields)
})

/** Replaces Effect's default logger with the JSON line logger. */
export const layer: Layer.Layer<never> = Logger.replace(Logger.defaultLogger, logger)
