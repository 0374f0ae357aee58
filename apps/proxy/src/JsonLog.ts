/**
 * Log lines: one JSON object per line on stdout, batched for up to 50 ms (or 64 KiB) so that a busy proxy makes one
 * write for many requests. Effect's own log calls go through the same writer. Only named fields are written, never a
 * request's headers: no token, key or Authorization header can reach a line.
 */
import { Cause, Context, Effect, HashMap, Layer, Logger, type LogLevel } from "effect"

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

/** One line of any message, its fields after `time`, `level` and `msg`. */
export const line = (level: string, msg: string, fields: Record<string, unknown>): string => {
  const rest = JSON.stringify(fields)
  return `{"time":${timeNow()},"level":"${level}","msg":${JSON.stringify(msg)}${rest === "{}" ? "}" : `,${rest.slice(1)}`}\n`
}

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

// Most values (a token's name, a correlation id) hold nothing JSON must escape: those are quoted without
// JSON.stringify, and without a memory that every new correlation id would churn.
const quoted = (value: string): string => {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(value)
  }
  return `"${value}"`
}

const field = (name: string, value: string | undefined): string =>
  value === undefined ? "" : `,"${name}":${quoted(value)}`

/** The line of one request, built from its known fields. */
export const requestLine = (f: RequestFields): string =>
  `{"time":${timeNow()},"level":"info","msg":"request","method":"${f.method}","route":"${f.route}","status":${f.status},"durationMs":${f.durationMs}${field("token", f.token)}${field("cache", f.cache)}${field("correlationId", f.correlationId)}${field("error", f.error)}}\n`

/** Writing the proxy's JSON lines, as a service. */
export interface JsonLogShape {
  readonly write: (level: string, msg: string, fields: Record<string, unknown>) => void
  readonly request: (fields: RequestFields) => void
  /** Writes what is batched. */
  readonly flush: () => void
}

export class JsonLog extends Context.Tag("@org/cdn-proxy/JsonLog")<JsonLog, JsonLogShape>() {}

/** Lines to `out`, batched: a write per request would cost more than the request. */
export const batched = (out: (bytes: Uint8Array) => void): JsonLogShape => {
  // One buffer for the whole process: a line is copied in and dies young, where a batched string would live across
  // collections and be promoted (and cost a full collection later).
  const buffer = Buffer.allocUnsafe(64 * 1024)
  let used = 0
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (used === 0) return
    // A copy: the buffer is refilled while an asynchronous stream may still hold what it was given.
    const bytes = Buffer.from(buffer.subarray(0, used))
    used = 0
    out(bytes)
  }
  const queue = (text: string) => {
    // A UTF-16 unit takes at most 3 bytes in UTF-8: room for that many needs no count of the bytes first.
    const most = text.length * 3
    if (used + most > buffer.length) flush()
    if (most > buffer.length) {
      out(Buffer.from(text))
      return
    }
    used += buffer.write(text, used)
    if (!scheduled) {
      scheduled = true
      // unref: a pending flush never keeps the process alive.
      setTimeout(flush, 50).unref()
    }
  }
  return {
    write: (level, msg, fields) => queue(line(level, msg, fields)),
    request: (fields) => queue(requestLine(fields)),
    flush
  }
}

const levelName = (level: LogLevel.LogLevel): string => level.label.toLowerCase()

/** Effect's logger, writing the same lines through `log`: annotations become fields. */
export const logger = (log: JsonLogShape) =>
  Logger.make(({ logLevel, message, annotations, cause }) => {
    const fields: Record<string, unknown> = {}
    for (const [key, value] of HashMap.toEntries(annotations)) fields[key] = value
    if (!Cause.isEmpty(cause)) fields.cause = Cause.pretty(cause)
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    log.write(levelName(logLevel), text, fields)
  })

// The service over `log`, flushed when the layer closes, and Effect's own log lines through it too.
const over = (log: JsonLogShape): Layer.Layer<JsonLog> =>
  Layer.merge(
    Layer.scoped(
      JsonLog,
      Effect.acquireRelease(Effect.succeed(log), (kept) => Effect.sync(kept.flush))
    ),
    Logger.replace(Logger.defaultLogger, logger(log))
  )

/** Lines to stdout, batched, flushed when the layer closes (and at exit). */
export const layer: Layer.Layer<JsonLog> = Layer.suspend(() => {
  const log = batched((bytes) => process.stdout.write(bytes))
  process.once("exit", log.flush)
  return over(log)
})

/** Lines into `lines`, one string each, for a test in the process. */
export const memory = (lines: Array<string>): Layer.Layer<JsonLog> =>
  over(
    batched((bytes) =>
      lines.push(
        ...Buffer.from(bytes)
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== "")
      )
    )
  )
