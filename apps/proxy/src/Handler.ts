/**
 * One inbound request, start to finish: classify it, check the caller, serve it (from the cache or upstream, through
 * Effect), write the answer, count it and log one line. Decisions that need no waiting run as plain calls, so that an
 * answer from the cache costs little more than writing its bytes.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http"
import { Either, Runtime } from "effect"
import * as Answer from "./Answer.js"
import * as Inbound from "./Inbound.js"
import * as JsonLog from "./JsonLog.js"
import * as Metrics from "./Metrics.js"
import type { OperationsShape, Source } from "./Operations.js"
import type { ProxySettings } from "./ProxyConfig.js"
import * as Tokens from "./Tokens.js"

/** What the handler needs from the running proxy. */
export interface HandlerContext {
  readonly settings: ProxySettings
  readonly operations: OperationsShape
  readonly runtime: Runtime.Runtime<never>
  /** True once SIGTERM arrived: /readyz says so and connections are closed after their answer. */
  readonly draining: () => boolean
}

const json = "application/json; charset=utf-8"

/** What the log line of a request holds beyond method, route, status and duration. */
interface Facts {
  token?: string
  correlationId?: string
  cache?: Source
  error?: string
}

const unauthorized: Record<Tokens.Refusal, Answer.Answer> = {
  missing: Answer.failure(401, "MissingAuthorizationHeader", "Send Authorization: Bearer <token>."),
  malformed: Answer.failure(401, "InvalidAuthorizationHeader", "The Authorization header must be 'Bearer <token>'."),
  unknown: Answer.failure(401, "CredentialInvalid", "The bearer token is not valid.")
}

const statusBody = (status: string) => Buffer.from(JSON.stringify({ status }))
const healthy = statusBody("ok")
const ready = statusBody("ready")
const notReady = statusBody("draining")

/** Builds the request listener for `node:http`. */
export const make = (context: HandlerContext) => {
  const { settings, operations } = context
  const runFork = Runtime.runFork(context.runtime)
  const limits = { maxUrlLength: settings.maxUrlLength }

  const finish = (
    request: IncomingMessage,
    response: ServerResponse,
    started: number,
    route: Inbound.RouteName,
    status: number,
    headers: OutgoingHttpHeaders,
    body: Buffer | string,
    facts: Facts
  ) => {
    // Draining: each connection closes after its answer (a copy: cached answers share their headers).
    response.writeHead(status, context.draining() ? { ...headers, connection: "close" } : headers)
    response.end(body)
    const seconds = (performance.now() - started) / 1000
    Metrics.count(Metrics.requests, Metrics.routeAndStatus(route, status))
    Metrics.observe(Metrics.requestDuration, seconds, Metrics.routeOnly(route))
    JsonLog.request({
      method: request.method ?? "GET",
      route,
      status,
      durationMs: Math.round(seconds * 1e6) / 1000,
      token: facts.token,
      cache: facts.cache,
      correlationId: facts.correlationId,
      error: facts.error
    })
  }

  const answer = (
    request: IncomingMessage,
    response: ServerResponse,
    started: number,
    route: Inbound.RouteName,
    out: Answer.Answer,
    facts: Facts,
    extra?: OutgoingHttpHeaders
  ) => {
    const headers: OutgoingHttpHeaders = extra === undefined ? out.headers : { ...out.headers, ...extra }
    if (out.correlationId !== undefined) facts.correlationId = out.correlationId
    if (out.errorType !== undefined) facts.error = out.errorType
    finish(request, response, started, route, out.status, headers, out.body, facts)
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now()
    const { authorization, hasBody } = readHeaders(request.rawHeaders)
    const route = Inbound.classify(request.method ?? "GET", request.url ?? "/", hasBody, limits)
    const name = Inbound.routeName(route)
    switch (route._tag) {
      case "Refused":
        answer(
          request,
          response,
          started,
          name,
          Answer.failure(route.status, route.type, route.message),
          {},
          route.allow === undefined ? undefined : { allow: route.allow }
        )
        return
      case "Health":
        finish(request, response, started, name, 200, { "content-type": json }, healthy, {})
        return
      case "Ready": {
        const draining = context.draining()
        finish(
          request,
          response,
          started,
          name,
          draining ? 503 : 200,
          { "content-type": json },
          draining ? notReady : ready,
          {}
        )
        return
      }
      case "Metrics":
        finish(
          request,
          response,
          started,
          name,
          200,
          { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
          Metrics.prometheusText(),
          {}
        )
        return
      case "Operation": {
        const caller = Tokens.authenticate(settings.tokens, authorization)
        if (Either.isLeft(caller)) {
          answer(
            request,
            response,
            started,
            name,
            unauthorized[caller.left],
            {},
            {
              "www-authenticate": 'Bearer realm="cdn-proxy"'
            }
          )
          return
        }
        const token = caller.right.name
        if (!Tokens.mayUse(caller.right, route.subscriptionId)) {
          const refused = Answer.failure(
            403,
            "PermissionDenied",
            `This token may not access subscription ${route.subscriptionId}.`
          )
          answer(request, response, started, name, refused, { token })
          return
        }
        const kept = operations.peek(route)
        if (kept !== undefined) {
          Metrics.count(Metrics.cacheHits)
          answer(request, response, started, name, kept, { token, cache: "hit" })
          return
        }
        // The fiber is never interrupted: other requests may be waiting on the same upstream call.
        runFork(operations.get(route)).addObserver((exit) => {
          if (exit._tag === "Success") {
            const served = exit.value
            countSource(served.source)
            answer(request, response, started, name, served.answer, { token, cache: served.source })
            return
          }
          const failed = Answer.failure(500, "InternalError", "The proxy failed to answer; see its logs.")
          JsonLog.write("error", "request failed", { route: name, token })
          answer(request, response, started, name, failed, { token })
          return
        })
        return
      }
    }
  }
}

// Read from the raw list: asking for `request.headers` would build an object of every header on each request.
const readHeaders = (raw: ReadonlyArray<string>): { authorization: string | undefined; hasBody: boolean } => {
  let authorization: string | undefined
  let hasBody = false
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 13 && name.toLowerCase() === "authorization") authorization ??= raw[i + 1]
    else if (name.length === 17 && name.toLowerCase() === "transfer-encoding") hasBody = true
    else if (name.length === 14 && name.toLowerCase() === "content-length" && raw[i + 1]!.trim() !== "0") hasBody = true
  }
  return { authorization, hasBody }
}

const countSource = (source: Source): void => {
  switch (source) {
    case "hit":
      Metrics.count(Metrics.cacheHits)
      return
    case "miss":
      Metrics.count(Metrics.cacheMisses)
      return
    case "coalesced":
      Metrics.count(Metrics.coalesced)
      return
  }
}
