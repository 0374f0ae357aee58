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
  queue(
    `{"time":${timeNow()},"level":"${level}","msg":${JSON.stringify(msg)}${rest === "{}" ? "}" : `,${rest.slice(1)}`}\n`
  )
}

/** What the line of one request holds. */
export interface RequestFields {
  /** As node's parser accepted it: a method token, nothing to escape. */
  readonly method: string
  readonly route: string
  readonly status: number
  readonly durationMs: number
  readonly token?: string | undefined
  readonly cache?: string | undefined
  readonly correlationId?: string | undefined
  readonly error?: string | undefined
}

const field = (name: string, value: string | undefined): string =>
  value === undefined ? "" : `,"${name}":${JSON.stringify(value)}`

/** The line of one request, the same as `write("info", "request", fields)`, built without a generic stringify. */
export const request = (f: RequestFields): void =>
  queue(
    `{"time":${timeNow()},"level":"info","msg":"request","method":"${f.method}","route":"${f.route}","status":${f.status},"durationMs":${f.durationMs}${field("token", f.token)}${field("cache", f.cache)}${field("correlationId", f.correlationId)}${field("error", f.error)}}\n`
  )

const queue = (line: string): void => {
  pending += line
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
