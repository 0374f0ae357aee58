/**
 * One inbound request, start to finish: classify it, check the caller and what it may do, serve it (a read from the
 * cache or upstream, a write with its body checked, through Effect), write the answer, count it and log one line.
 * Decisions that need no waiting run as plain calls, so that an answer from the cache costs little more than writing
 * its bytes, and a read's first upstream attempt answers from its callback (`Reads.serve`): a fiber starts only for
 * what has to wait.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http"
import { Wire } from "@org/cdn-core"
import { Effect, Either, Runtime, Tracer } from "effect"
import * as Answer from "./Answer.js"
import * as Inbound from "./Inbound.js"
import type * as JsonLog from "./JsonLog.js"
import * as Metrics from "./Metrics.js"
import type { ProxySettings } from "./ProxyConfig.js"
import type { ReadsShape, Source } from "./Reads.js"
import * as Tokens from "./Tokens.js"
import type * as Tracing from "./Tracing.js"
import type { WritesShape } from "./Writes.js"

/** What the handler needs from the running proxy. */
export interface HandlerContext {
  readonly settings: ProxySettings
  readonly reads: ReadsShape
  readonly writes: WritesShape
  readonly runtime: Runtime.Runtime<never>
  /** True once SIGTERM arrived: /readyz says so and connections are closed after their answer. */
  readonly draining: () => boolean
  /** The shared Redis's state for /readyz; undefined for a lone replica. */
  readonly redis: () => "up" | "down" | undefined
  readonly metrics: Metrics.MetricsShape
  readonly log: JsonLog.JsonLogShape
  /** The tokens in force (`PROXY_TOKENS_FILE` replaces them as the file changes). */
  readonly tokens: Tokens.LiveTokens
  /** Request spans, with OTEL_EXPORTER_OTLP_ENDPOINT; undefined otherwise. */
  readonly tracing: Tracing.RequestTracing | undefined
}

const json = "application/json; charset=utf-8"

/** What the log line of a request holds beyond method, route, status and duration. */
/** One request being answered: its two ends, when it started, the route it took. */
interface Exchange {
  readonly request: IncomingMessage
  readonly response: ServerResponse
  readonly started: number
  readonly route: Inbound.RouteName
}

interface Facts {
  token?: string
  correlationId?: string
  cache?: Source | "deduped"
  error?: string
  /** The request's span, with tracing on. */
  span?: Tracer.Span
}

const unauthorized: Record<Tokens.Refusal, Answer.Answer> = {
  missing: Answer.failure(401, "MissingAuthorizationHeader", "Send Authorization: Bearer <token>."),
  malformed: Answer.failure(401, "InvalidAuthorizationHeader", "The Authorization header must be 'Bearer <token>'."),
  unknown: Answer.failure(401, "CredentialInvalid", "The bearer token is not valid.")
}

const statusBody = (status: string, redis?: string) =>
  Buffer.from(JSON.stringify(redis === undefined ? { status } : { status, redis }))
const healthy = statusBody("ok")
// Redis down leaves the replica ready: it serves on its own (taking every replica out would stop the service).
const readiness = {
  alone: statusBody("ready"),
  up: statusBody("ready", "up"),
  down: statusBody("ready", "down"),
  draining: statusBody("draining")
}

/** Builds the request listener for `node:http`. */
export const make = (context: HandlerContext) => {
  const { settings, reads, writes, metrics, log } = context
  const runFork = Runtime.runFork(context.runtime)
  const limits = { maxUrlLength: settings.maxUrlLength }
  const authenticate = context.tokens.authenticate
  // Pollers send the same few targets again and again: each is classified once (routes are immutable), in a
  // bounded map cleared when full, so that a hit allocates next to nothing.
  const seen = new Map<string, Inbound.Route | Inbound.Refused>()
  const classified = (method: string, target: string, hasBody: boolean): Inbound.Route | Inbound.Refused => {
    if (method !== "GET" || hasBody) return Inbound.classify(method, target, hasBody, limits)
    let route = seen.get(target)
    if (route === undefined) {
      route = Inbound.classify(method, target, hasBody, limits)
      if (seen.size >= 10_000) seen.clear()
      seen.set(target, route)
    }
    return route
  }

  const finish = (
    exchange: Exchange,
    status: number,
    headers: OutgoingHttpHeaders,
    body: Buffer | string,
    facts: Facts
  ) => {
    const { request, response, started, route } = exchange
    // Draining: each connection closes after its answer (a copy: cached answers share their headers).
    response.writeHead(status, context.draining() ? { ...headers, connection: "close" } : headers)
    response.end(body)
    const seconds = (performance.now() - started) / 1000
    metrics.count(Metrics.requests, Metrics.routeAndStatus(route, status))
    metrics.observe(Metrics.requestDuration, seconds, Metrics.routeOnly(route))
    if (facts.span !== undefined) {
      context.tracing?.end(facts.span, {
        status,
        token: facts.token,
        cache: facts.cache,
        correlationId: facts.correlationId,
        error: facts.error
      })
    }
    log.request({
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

  const answer = (exchange: Exchange, out: Answer.Answer, facts: Facts, extra?: OutgoingHttpHeaders) => {
    const headers: OutgoingHttpHeaders = extra === undefined ? out.headers : { ...out.headers, ...extra }
    if (out.correlationId !== undefined) facts.correlationId = out.correlationId
    if (out.errorType !== undefined) facts.error = out.errorType
    finish(exchange, out.status, headers, out.body, facts)
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now()
    const { authorization, hasBody } = readHeaders(request.rawHeaders)
    const route = classified(request.method ?? "GET", request.url ?? "/", hasBody)
    const name = Inbound.routeName(route)
    // What every answer to this request needs, in one place.
    const exchange: Exchange = { request, response, started, route: name }
    switch (route._tag) {
      case "Refused":
        answer(
          exchange,
          Answer.failure(route.status, route.type, route.message),
          {},
          route.allow === undefined ? undefined : { allow: route.allow }
        )
        return
      case "Health":
        finish(exchange, 200, { "content-type": json }, healthy, {})
        return
      case "Ready": {
        const draining = context.draining()
        finish(
          exchange,
          draining ? 503 : 200,
          { "content-type": json },
          draining ? readiness.draining : readiness[context.redis() ?? "alone"],
          {}
        )
        return
      }
      case "Metrics":
        finish(
          exchange,
          200,
          { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
          metrics.prometheusText(),
          {}
        )
        return
      case "Call": {
        // With tracing on, the request's span, continuing the caller's trace; the facts that end it carry it.
        const span = context.tracing?.start(name, request.method ?? "GET", headerOf(request.rawHeaders, "traceparent"))
        // Without tracing, no closure is made for this request: the cached path costs what it did.
        const traced = span === undefined ? sameFacts : (facts: Facts): Facts => ({ ...facts, span })
        const caller = authenticate(authorization)
        if (Either.isLeft(caller)) {
          answer(exchange, unauthorized[caller.left], traced({}), {
            "www-authenticate": 'Bearer realm="cdn-proxy"'
          })
          drain(request)
          return
        }
        const token = caller.right.name
        const why = Tokens.refusal(caller.right, route.call.permission, route.subscriptionId, route.endpointId)
        if (why !== undefined) {
          // Outside the token's permissions or scope: nothing goes upstream.
          metrics.count(Metrics.permissionRefusals, Metrics.routeOnly(name))
          answer(exchange, Answer.failure(403, "PermissionDenied", why), traced({ token }))
          drain(request)
          return
        }
        const failed = () => {
          log.write("error", "request failed", { route: name, token })
          answer(
            exchange,
            Answer.failure(500, "InternalError", "The proxy failed to answer; see its logs."),
            traced({ token })
          )
        }
        if (route.call.method === "GET") {
          const kept = reads.peek(route)
          if (kept !== undefined) {
            metrics.count(Metrics.cacheHits)
            answer(exchange, kept, traced({ token, cache: "hit" }))
            return
          }
          // Never given up: other requests may be waiting on the same upstream call. With tracing on, what runs
          // on a fiber is a child of the request's span.
          const runtime =
            span === undefined ? context.runtime : Runtime.provideService(context.runtime, Tracer.ParentSpan, span)
          reads.serve(route, runtime, (exit) => {
            if (exit._tag === "Failure") return failed()
            countSource(metrics, exit.value.source)
            answer(exchange, exit.value.answer, traced({ token, cache: exit.value.source }))
          })
          return
        }
        // Enable, disable and delete carry no body: nothing to read.
        const read =
          route.call.payload === undefined
            ? (done: (body: Body) => void) => done({ _tag: "Json", json: undefined })
            : (done: (body: Body) => void) => readBody(request, settings.maxBodyBytes, done)
        read((body) => {
          if (body._tag === "Refused") {
            answer(exchange, Answer.failure(body.status, body.type, body.message), traced({ token }))
            return
          }
          // A write is forwarded to its end even if the caller hangs up: it may already be with the service.
          runFork(underSpan(writes.send(token, route, body.json), span)).addObserver((exit) => {
            if (exit._tag === "Failure") return failed()
            const { answer: out, deduped } = exit.value
            answer(exchange, out, traced({ token, ...(deduped ? { cache: "deduped" as const } : {}) }))
          })
        })
        return
      }
    }
  }
}

type Body =
  | { readonly _tag: "Json"; readonly json: unknown }
  | { readonly _tag: "Refused"; readonly status: number; readonly type: string; readonly message: string }

// Consumes a request's body unread, so that the connection can serve the next request.
const drain = (request: IncomingMessage): void => {
  if (!request.complete) request.resume()
}

/** Reads a write's JSON body, at most `maxBytes`; a larger one, another type or broken JSON is refused. */
const readBody = (request: IncomingMessage, maxBytes: number, done: (body: Body) => void): void => {
  const type = request.headers["content-type"] ?? ""
  if (!/^application\/json\b/i.test(type)) {
    drain(request)
    done({
      _tag: "Refused",
      status: 415,
      type: "ParameterInvalid",
      message: "The body must be JSON (content-type: application/json)."
    })
    return
  }
  const chunks: Array<Buffer> = []
  let length = 0
  let over = false
  request.on("data", (chunk: Buffer) => {
    length += chunk.length
    if (length > maxBytes) over = true
    else chunks.push(chunk)
  })
  request.on("end", () => {
    if (over) {
      done({
        _tag: "Refused",
        status: 413,
        type: "ParameterInvalid",
        message: `The body is larger than ${maxBytes} bytes.`
      })
      return
    }
    // Valid UTF-8, valid JSON, no key twice: nothing is read into something else.
    const json = Wire.readJson(Buffer.concat(chunks))
    done(
      Either.isRight(json)
        ? { _tag: "Json", json: json.right }
        : { _tag: "Refused", status: 400, type: json.left.type, message: json.left.message }
    )
  })
  request.on("error", () =>
    done({ _tag: "Refused", status: 400, type: "ParameterInvalid", message: "The body broke off." })
  )
}

const sameFacts = (facts: Facts): Facts => facts

// The request's effect as a child of its span, with tracing on.
const underSpan = <A, E>(effect: Effect.Effect<A, E>, span: Tracer.Span | undefined): Effect.Effect<A, E> =>
  span === undefined ? effect : Effect.withParentSpan(effect, span)

// One header from the raw list (only with tracing on: the hot path reads none this way).
const headerOf = (raw: ReadonlyArray<string>, name: string): string | undefined => {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1]
  return undefined
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

const countSource = (metrics: Metrics.MetricsShape, source: Source): void => {
  switch (source) {
    case "hit":
      metrics.count(Metrics.cacheHits)
      return
    case "miss":
      metrics.count(Metrics.cacheMisses)
      return
    case "coalesced":
      metrics.count(Metrics.coalesced)
      return
  }
}
