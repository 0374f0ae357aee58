/**
 * The transport for one-shot processes (a CLI): Node's own `http`/`https` request, which costs nothing to load,
 * where fetch and undici first compile an HTTP parser (about 130 ms of a short command). Redirects are never
 * followed (`node:http` does not), each attempt has its own timer, and the body read is bounded and decoded as every
 * transport decodes it (`ResponseBody`).
 */
import type { IncomingMessage } from "node:http"
import { Effect, Either, Layer } from "effect"
import type { RequestTimeout } from "./Errors.js"
import { TransportError } from "./Errors.js"
import * as Proxies from "./Proxies.js"
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

// How a request leaves this machine: direct, or through the environment's proxy (`Proxies`).
interface Route {
  readonly proxy: URL | undefined
  /** The tunnel for an https URL through a proxy (CONNECT). */
  readonly agent: import("node:http").Agent | false
}

const routeOf = (url: string): Effect.Effect<Route> => {
  const proxy = Proxies.proxyFor(url)
  if (proxy === undefined || !url.startsWith("https:")) return Effect.succeed({ proxy, agent: false })
  // Loaded only when a proxy is set: a V8 startup snapshot of a CLI cannot hold node:net.
  return Effect.map(
    Effect.promise(() => import("https-proxy-agent")),
    ({ HttpsProxyAgent }) => {
      const agent = new HttpsProxyAgent(proxy)
      // The tunnel carries https: said outright, since the agent would guess from a stack trace a bundle rewrites.
      agent.protocol = "https:"
      return { proxy, agent: agent as unknown as import("node:http").Agent }
    }
  )
}

// A proxy's user and password, as the header an http proxy reads (an https tunnel's agent sends its own).
const proxyAuthorization = (proxy: URL): Record<string, string> =>
  proxy.username === ""
    ? {}
    : {
        "proxy-authorization": `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`
      }

/** Sends one request with `node:http` or `node:https`, through the environment's proxy when one applies. */
export const send =
  (options: NodeHttpTransportOptions = {}) =>
  (request: TransportRequest, timeoutMs: number): Effect.Effect<TransportResponse, TransportError | RequestTimeout> =>
    Effect.flatMap(routeOf(request.url), (route) => sendBy(options, route, request, timeoutMs))

const sendBy = (
  options: NodeHttpTransportOptions,
  route: Route,
  request: TransportRequest,
  timeoutMs: number
): Effect.Effect<TransportResponse, TransportError | RequestTimeout> =>
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
    const requestBy = (protocol: string) =>
      protocol === "https:"
        ? process.getBuiltinModule("node:https").request
        : process.getBuiltinModule("node:http").request
    const { proxy } = route
    // An http URL through a proxy is asked of the proxy in full; an https one goes through its CONNECT tunnel.
    const viaProxy = proxy !== undefined && url.protocol === "http:"
    const target = viaProxy ? proxy : url
    const requestOptions = viaProxy
      ? {
          method: request.method,
          path: url.href,
          headers: { ...request.headers, host: url.host, ...proxyAuthorization(proxy) },
          agent: false as const
        }
      : { method: request.method, headers: request.headers, agent: route.agent }
    const outgoing = requestBy(target.protocol)(target, requestOptions, (incoming) => {
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
      incoming.on("aborted", () => finish(Effect.fail(brokeOff(request, new Error("aborted"), status, correlationId))))
    })
    outgoing.on("error", (error) =>
      finish(
        Effect.fail(proxy === undefined ? failedWith(request, error) : throughProxy(failedWith(request, error), proxy))
      )
    )
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

// A failure on the way through a proxy names the proxy (never its password): that is where to look.
const throughProxy = (error: TransportError, proxy: URL): TransportError =>
  new TransportError({
    method: error.method,
    url: error.url,
    message: `${error.message} (through the proxy ${Proxies.shown(proxy)})`,
    ...(error.code === undefined ? {} : { code: error.code })
  })

/** The transport, as a layer. */
export const layer = (options: NodeHttpTransportOptions = {}): Layer.Layer<Transport> =>
  Layer.succeed(Transport, { send: send(options) })
