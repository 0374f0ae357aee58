/**
 * The proxy's way to the service: a keep-alive undici `Pool` to the service's origin, each attempt dispatched with a
 * plain handler and its own timer, so that an attempt costs one callback chain rather than streams, promises and a
 * racing fiber. The body is read and decoded as every transport of cdn-core reads it (`ResponseBody`). The callback
 * is the transport's `dispatch`, so that a first attempt can be sent with no fiber; `send` runs it on one.
 */
import { CdnConfig, Proxies, ResponseBody, Transport } from "@org/cdn-core"
import { Effect, Either, Layer } from "effect"
import type { Dispatcher as AnyDispatcher } from "undici"
// Only what the proxy uses (two dispatchers and the CONNECT method): undici's index also loads fetch, WebSocket, its
// cache and mocks (9 MiB resident).
import connect from "undici/lib/api/api-connect.js"
import Dispatcher from "undici/lib/dispatcher/dispatcher.js"
import Pool from "undici/lib/dispatcher/pool.js"
import ProxyAgent from "undici/lib/dispatcher/proxy-agent.js"

// ProxyAgent opens its CONNECT tunnel with the `connect` method that undici's index adds to every dispatcher.
const prototype = Dispatcher.prototype as { connect?: unknown }
prototype.connect ??= connect

export interface UndiciTransportOptions {
  /** Connections kept to the service; default 64. */
  readonly connections?: number
  /** Largest body read (decoded, too); a longer answer fails the attempt. Default 1 MiB. */
  readonly maxBodyBytes?: number
}

/**
 * A transport to `CdnConfig.baseUrl`'s origin, through `HTTPS_PROXY` / `HTTP_PROXY` unless `NO_PROXY` says otherwise
 * (cdn-core's `Proxies`, read once at start: an https origin through a CONNECT tunnel, an http one forwarded); the
 * connections are closed with the layer.
 */
export const layer = (
  options: UndiciTransportOptions = {}
): Layer.Layer<Transport.Transport, never, CdnConfig.CdnConfig> =>
  Layer.scoped(
    Transport.Transport,
    Effect.gen(function* () {
      const config = yield* CdnConfig.CdnConfig
      const origin = new URL(config.baseUrl).origin
      const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
      const proxy = Proxies.proxyFor(config.baseUrl)
      const connections = options.connections ?? 64
      const pool: AnyDispatcher = yield* Effect.acquireRelease(
        Effect.sync(() =>
          proxy === undefined
            ? new Pool(origin, { connections, keepAliveTimeout: 30_000 })
            : new ProxyAgent({
                uri: proxy.href,
                proxyTunnel: origin.startsWith("https:"),
                connections,
                keepAliveTimeout: 30_000
              })
        ),
        // By the time the layer closes nothing should wait on it: what is still pending is aborted, not awaited.
        (pool) => Effect.promise(() => pool.destroy().catch(() => undefined))
      )

      const dispatch: Transport.Dispatch = (request, timeoutMs, done) => {
        if (!request.url.startsWith(origin)) {
          done(Either.left(Transport.unreachable(request, `not a URL of ${origin}`)))
          return () => undefined
        }
        let settled = false
        let abort: ((reason: Error) => void) | undefined
        let status = 0
        let headers: Record<string, string | undefined> = {}
        let body: ResponseBody.Collector | undefined
        const finish = (outcome: Transport.Outcome) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          done(outcome)
        }
        // The timeout is settled before the abort, whose error would otherwise be taken for a transport failure.
        const timer = setTimeout(() => {
          finish(Either.left(Transport.timedOut(request, timeoutMs)))
          abort?.(new Error("attempt timed out"))
        }, timeoutMs)
        pool.dispatch(
          {
            origin,
            method: request.method,
            path: request.url.slice(origin.length),
            headers: request.headers,
            ...(request.body === undefined ? {} : { body: request.body })
          },
          {
            onRequestStart(controller) {
              abort = (reason) => controller.abort(reason)
            },
            onResponseStart(_controller, statusCode, responseHeaders) {
              status = statusCode
              headers = responseHeaders as Record<string, string | undefined>
              body = ResponseBody.collector(headers["content-encoding"], maxBodyBytes)
            },
            onResponseData(controller, chunk) {
              if (body?.add(chunk) !== false) return
              finish(Either.left(Transport.tooLong(request, maxBodyBytes, status, headers["x-correlation-id"])))
              controller.abort(new Error(`answer longer than ${maxBodyBytes} bytes`))
            },
            onResponseEnd() {
              const text = body?.text() ?? Either.right("")
              finish(
                Either.isRight(text)
                  ? Either.right({ status, headers, body: text.right })
                  : Either.left(Transport.undecodable(request, text.left, status, headers["x-correlation-id"]))
              )
            },
            onResponseError(_controller, error) {
              // After the headers, the answer broke off: its status and correlation id are kept.
              finish(
                Either.left(
                  status === 0
                    ? Transport.failedWith(request, error)
                    : Transport.brokeOff(request, error, status, headers["x-correlation-id"])
                )
              )
            }
          }
        )
        // Given up (the caller was interrupted): stop the timer and the request.
        return () => {
          settled = true
          clearTimeout(timer)
          abort?.(new Error("attempt interrupted"))
        }
      }

      // `send` is `dispatch` on a fiber; the proxy sends a first attempt with `dispatch` itself.
      return Transport.fromDispatch(dispatch)
    })
  )
