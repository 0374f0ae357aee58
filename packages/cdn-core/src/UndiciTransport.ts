/**
 * The transport for Node: a keep-alive undici `Pool` per origin, each attempt dispatched with a plain handler and
 * its own timer, so that an attempt costs one callback chain rather than streams, promises and a racing fiber.
 */
import { Effect, Layer } from "effect"
import { Pool } from "undici"
import { CdnConfig } from "./CdnConfig.js"
import { brokeOff, failedWith, Transport, type TransportRequest, timedOut, unreachable } from "./Transport.js"

export interface UndiciTransportOptions {
  /** Connections kept to the service; default 64. */
  readonly connections?: number
  /** Largest body read; a longer answer fails the attempt. Default 1 MiB. */
  readonly maxBodyBytes?: number
}

/** A transport to `CdnConfig.baseUrl`'s origin; the pool is destroyed with the layer. */
export const layer = (options: UndiciTransportOptions = {}): Layer.Layer<Transport, never, CdnConfig> =>
  Layer.scoped(
    Transport,
    Effect.gen(function* () {
      const config = yield* CdnConfig
      const origin = new URL(config.baseUrl).origin
      const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
      const pool = yield* Effect.acquireRelease(
        Effect.sync(() => new Pool(origin, { connections: options.connections ?? 64, keepAliveTimeout: 30_000 })),
        // By the time the layer closes nothing should wait on it: what is still pending is aborted, not awaited.
        (pool) => Effect.promise(() => pool.destroy().catch(() => undefined))
      )

      const send = (request: TransportRequest, timeoutMs: number) =>
        Effect.async<
          { status: number; headers: Record<string, string | undefined>; body: string },
          ReturnType<typeof unreachable> | ReturnType<typeof timedOut>
        >((resume) => {
          if (!request.url.startsWith(origin)) {
            resume(Effect.fail(unreachable(request, `not a URL of ${origin}`)))
            return
          }
          let done = false
          let abort: ((reason: Error) => void) | undefined
          let status = 0
          let headers: Record<string, string | undefined> = {}
          const chunks: Array<Buffer> = []
          let length = 0
          const finish = (effect: Parameters<typeof resume>[0]) => {
            if (done) return
            done = true
            clearTimeout(timer)
            resume(effect)
          }
          // The timeout is settled before the abort, whose error would otherwise be taken for a transport failure.
          const timer = setTimeout(() => {
            finish(Effect.fail(timedOut(request, timeoutMs)))
            abort?.(new Error("attempt timed out"))
          }, timeoutMs)
          pool.dispatch(
            {
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
              },
              onResponseData(controller, chunk) {
                length += chunk.length
                if (length > maxBodyBytes) {
                  controller.abort(new Error(`answer longer than ${maxBodyBytes} bytes`))
                  return
                }
                chunks.push(chunk)
              },
              onResponseEnd() {
                const body = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")
                finish(Effect.succeed({ status, headers, body }))
              },
              onResponseError(_controller, error) {
                // After the headers, the answer broke off: its status and correlation id are kept.
                finish(
                  Effect.fail(
                    status === 0
                      ? failedWith(request, error)
                      : brokeOff(request, error, status, headers["x-correlation-id"] as string | undefined)
                  )
                )
              }
            }
          )
          // Interrupted (the caller gave up): stop the timer and the request.
          return Effect.sync(() => {
            done = true
            clearTimeout(timer)
            abort?.(new Error("attempt interrupted"))
          })
        })

      return { send }
    })
  )
