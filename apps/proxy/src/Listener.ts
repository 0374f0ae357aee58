/**
 * The proxy on a port: a `node:http` server held as a scoped resource. Closing the scope (SIGTERM) drains it: /readyz
 * turns 503, no new connection is accepted, in-flight requests finish (each connection closes after its answer), and
 * what is still open after the drain timeout is cut.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Context, Duration, Effect, Layer, Redacted, Runtime, RuntimeFlags } from "effect"
import * as Answer from "./Answer.js"
import * as Handler from "./Handler.js"
import * as JsonLog from "./JsonLog.js"
import * as Metrics from "./Metrics.js"
import { ProxyConfig } from "./ProxyConfig.js"
import { Reads } from "./Reads.js"
import * as SecretFile from "./SecretFile.js"
import { Shared } from "./Shared.js"
import * as Tokens from "./Tokens.js"
import * as Tracing from "./Tracing.js"
import { Writes } from "./Writes.js"

/** Where the proxy listens. */
export class Listening extends Context.Tag("@org/cdn-proxy/Listening")<
  Listening,
  { readonly host: string; readonly port: number }
>() {}

const reasons: Record<number, string> = {
  400: "Bad Request",
  414: "URI Too Long",
  431: "Request Header Fields Too Large"
}

// A request the parser refused (headers too large, not HTTP): answered on the raw socket in the service's error shape.
const refuseOnSocket =
  (maxUrlLength: number, metrics: Metrics.MetricsShape, log: JsonLog.JsonLogShape) =>
  (error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy()
      return
    }
    let status = 400
    let message = "The request could not be parsed as HTTP/1.1."
    if (error.code === "HPE_HEADER_OVERFLOW") {
      // The request line alone already too long: the URL is at fault, not the headers.
      const lineEnd = error.rawPacket?.indexOf("\r\n") ?? -1
      const urlTooLong = lineEnd < 0 || lineEnd > maxUrlLength
      status = urlTooLong ? 414 : 431
      message = urlTooLong ? "The request URL is too long." : "The request headers are too large."
    }
    const out = Answer.failure(status, "ParameterInvalid", message)
    socket.end(
      `HTTP/1.1 ${status} ${reasons[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${out.body.length}\r\nconnection: close\r\n\r\n${out.body.toString()}`
    )
    metrics.count(Metrics.requests, Metrics.labels("route", "other", "status", String(status)))
    log.write("info", "request", { route: "other", status, error: "ParameterInvalid" })
  }

/** Listens on PORT/HOST for the life of the scope, and drains on close. */
export const layer: Layer.Layer<
  Listening,
  Error,
  ProxyConfig | Reads | Writes | Shared | Metrics.Metrics | JsonLog.JsonLog
> = Layer.scoped(
  Listening,
  Effect.gen(function* () {
    const settings = yield* ProxyConfig
    const reads = yield* Reads
    const writes = yield* Writes
    const shared = yield* Shared
    const metrics = yield* Metrics.Metrics
    const log = yield* JsonLog.JsonLog
    // Per-fiber runtime metrics (started, lifetimes) would cost every request a few metric updates nobody reads.
    const runtime = Runtime.disableRuntimeFlag(yield* Effect.runtime<never>(), RuntimeFlags.RuntimeMetrics)
    const tokens = Tokens.live(settings.tokens)
    // PROXY_TOKENS_FILE: the file read again every second; a change takes effect at the next request.
    if (settings.tokensFile !== undefined) {
      yield* SecretFile.watch({
        secret: "tokens",
        path: settings.tokensFile.path,
        first: settings.tokensFile.text,
        parse: (text) => Tokens.parse(Redacted.make(text)),
        apply: tokens.replace
      })
    }
    // OTEL_EXPORTER_OTLP_ENDPOINT: request spans from the tracer the layers were given (OTLP).
    // (Read again here, as main.ts read it to choose the tracer; it read well there.)
    const url = yield* Effect.orElseSucceed(Tracing.endpoint, () => undefined)
    const tracing = url === undefined ? undefined : Tracing.over(yield* Effect.tracer)
    let draining = false
    const server: Server = createServer({ maxHeaderSize: settings.maxHeaderBytes, keepAliveTimeout: 65_000 })
    server.on(
      "request",
      Handler.make({
        settings,
        reads,
        writes,
        runtime,
        draining: () => draining,
        redis: () => (shared.enabled ? (shared.up() ? "up" : "down") : undefined),
        metrics,
        log,
        tokens,
        tracing
      })
    )
    server.on("clientError", refuseOnSocket(settings.maxUrlLength, metrics, log))

    const address = yield* Effect.acquireRelease(
      Effect.async<AddressInfo, Error>((resume) => {
        const failed = (error: Error) => resume(Effect.fail(error))
        server.once("error", failed)
        server.listen(settings.port, settings.host, () => {
          server.off("error", failed)
          resume(Effect.succeed(server.address() as AddressInfo))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          draining = true
          const drainMs = Duration.toMillis(settings.drainTimeout)
          log.write("info", "draining", { drainTimeoutMs: drainMs })
          // After the drain timeout, whatever is still open is cut.
          const cut = setTimeout(() => {
            log.write("warn", "drain timeout: closing the connections left", {})
            server.closeAllConnections()
          }, drainMs)
          server.close(() => {
            clearTimeout(cut)
            log.write("info", "stopped", {})
            resume(Effect.void)
          })
          server.closeIdleConnections()
        })
    )
    log.write("info", "listening", { host: address.address, port: address.port })
    return { host: address.address, port: address.port }
  })
)
