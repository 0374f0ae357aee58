/**
 * The transport for one-shot processes (a CLI): Node's own `http`/`https` request, which costs nothing to load,
 * where fetch and undici first compile an HTTP parser (about 130 ms of a short command). Redirects are never
 * followed (`node:http` does not), each attempt has its own timer, and the body read is bounded and decoded as every
 * transport decodes it (`ResponseBody`).
 */
import type { IncomingMessage } from "node:http"
import { Effect, Either, Layer } from "effect"
import type { RequestTimeout, TransportError } from "./Errors.js"
import { collector } from "./ResponseBody.js"
import {
  brokeOff,
  failedWith,
  Transport,
  type TransportRequest,
  type TransportResponse,
  timedOut,
  tooLong,
  undecodable,
  unreachable
} from "./Transport.js"

export interface NodeHttpTransportOptions {
  /** Largest body read; a longer answer fails the attempt. Default 16 MiB. */
  readonly maxBodyBytes?: number
}

const headersOf = (message: IncomingMessage): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(message.headers))
    out[name] = Array.isArray(value) ? value.join(", ") : value
  return out
}

/** Sends one request with `node:http` or `node:https`. */
export const send =
  (options: NodeHttpTransportOptions = {}) =>
  (request: TransportRequest, timeoutMs: number): Effect.Effect<TransportResponse, TransportError | RequestTimeout> =>
    Effect.async((resume) => {
      const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024
      let url: URL
      try {
        url = new URL(request.url)
      } catch {
        resume(Effect.fail(unreachable(request, "the URL is not valid")))
        return
      }
      let done = false
      const finish = (effect: Effect.Effect<TransportResponse, TransportError | RequestTimeout>) => {
        if (done) return
        done = true
        clearTimeout(timer)
        resume(effect)
      }
      // Loaded on first use, not at import: a V8 startup snapshot of a CLI cannot hold node:http.
      const make =
        url.protocol === "https:"
          ? process.getBuiltinModule("node:https").request
          : process.getBuiltinModule("node:http").request
      const outgoing = make(url, { method: request.method, headers: request.headers, agent: false }, (incoming) => {
        const status = incoming.statusCode ?? 0
        const headers = headersOf(incoming)
        const correlationId = headers["x-correlation-id"]
        const body = collector(headers["content-encoding"], maxBodyBytes)
        incoming.on("data", (chunk: Buffer) => {
          if (body.add(chunk)) return
          finish(Effect.fail(tooLong(request, maxBodyBytes, status, correlationId)))
          incoming.destroy()
        })
        incoming.on("end", () => {
          const text = body.text()
          finish(
            Either.isRight(text)
              ? Effect.succeed({ status, headers, body: text.right })
              : Effect.fail(undecodable(request, text.left, status, correlationId))
          )
        })
        // After the headers, the answer broke off: its status and correlation id are kept.
        incoming.on("error", (error) => finish(Effect.fail(brokeOff(request, error, status, correlationId))))
        incoming.on("aborted", () =>
          finish(Effect.fail(brokeOff(request, new Error("aborted"), status, correlationId)))
        )
      })
      outgoing.on("error", (error) => finish(Effect.fail(failedWith(request, error))))
      // The timeout is settled before the request is destroyed, whose error would otherwise be taken for a transport failure.
      const timer = setTimeout(() => {
        finish(Effect.fail(timedOut(request, timeoutMs)))
        outgoing.destroy()
      }, timeoutMs)
      outgoing.end(request.body)
      // Interrupted (the caller gave up): stop the timer and the request.
      return Effect.sync(() => {
        done = true
        clearTimeout(timer)
        outgoing.destroy()
      })
    })

/** The transport, as a layer. */
export const layer = (options: NodeHttpTransportOptions = {}): Layer.Layer<Transport> =>
  Layer.succeed(Transport, { send: send(options) })
