/**
 * The way to the service: cdn-core's `CdnClient` over its undici transport, each attempt counted and timed, under an
 * optional rate limit (so that many callers cannot trip the service's throttle), retries counted. With `REDIS_URL`
 * the limit is one budget for every replica (`@effect/experimental`'s `RateLimiter` on its Redis store, a token
 * bucket); should Redis fail, each replica falls back to its own limiter.
 */
import * as SharedLimiter from "@effect/experimental/RateLimiter"
import { CdnClient, CdnConfig, Retry, Transport } from "@org/cdn-core"
import { type ConfigError, Context, Duration, Effect, Either, Layer, RateLimiter, Redacted, Schedule } from "effect"
import type * as JsonLog from "./JsonLog.js"
import * as KeyFile from "./KeyFile.js"
import * as Metrics from "./Metrics.js"
import { ProxyConfig } from "./ProxyConfig.js"
import { redisOptions } from "./Shared.js"
import * as Tracing from "./Tracing.js"
import * as UndiciTransport from "./UndiciTransport.js"

const outcomeOf = (status: number): string =>
  status < 300 ? "ok" : status === 429 ? "http_429" : status < 500 ? "http_4xx" : "http_5xx"

const byOutcome = {
  transport: Metrics.labels("outcome", "transport_error"),
  timeout: Metrics.labels("outcome", "timeout")
}

/**
 * Wraps the transport: every attempt counted by outcome and timed; waits for the rate limit first when there is one.
 * Without a limit and without tracing the callback (`dispatch`) stays, so that a first attempt needs no fiber.
 */
const measured = Layer.scoped(
  Transport.Transport,
  Effect.gen(function* () {
    const inner = yield* Transport.Transport
    const metrics = yield* Metrics.Metrics
    const settings = yield* ProxyConfig
    const perSecond = settings.upstreamRateLimit
    const local =
      perSecond === undefined
        ? undefined
        : // A bucket of one call: a bucket of a second's calls would let a burst of them go at once, and then the
          // refills too, twice the rate within one second.
          yield* RateLimiter.make({
            limit: 1,
            interval: Duration.millis(1000 / perSecond),
            algorithm: "token-bucket"
          })
    const limit =
      local === undefined || settings.redisUrl === undefined || perSecond === undefined
        ? local
        : yield* globalLimit(settings.redisUrl, perSecond, local, metrics)
    // Every attempt counted by outcome and timed.
    const record = (started: number, outcome: Transport.Outcome): void => {
      if (Either.isRight(outcome)) {
        metrics.count(Metrics.upstreamCalls, Metrics.labels("outcome", outcomeOf(outcome.right.status)))
        metrics.observe(Metrics.upstreamDuration, (performance.now() - started) / 1000)
      } else {
        metrics.count(
          Metrics.upstreamCalls,
          outcome.left._tag === "RequestTimeout" ? byOutcome.timeout : byOutcome.transport
        )
      }
    }
    // The proxy's transport (UndiciTransport) sends on a callback; `send` is made from the counted callback.
    const inbound = inner.dispatch
    if (inbound === undefined) return yield* Effect.dieMessage("the proxy's transport has no dispatch")
    const counted = Transport.fromDispatch((request, timeoutMs, done) => {
      const started = performance.now()
      return inbound(request, timeoutMs, (outcome) => {
        record(started, outcome)
        done(outcome)
      })
    })
    const send = counted.send
    // With tracing on, each attempt is a child of the request's span: the method and path (no query, no header),
    // then the answer's status and correlation id.
    const tracing = (yield* Effect.orElseSucceed(Tracing.endpoint, () => undefined)) !== undefined
    const traced: Transport.TransportShape["send"] = !tracing
      ? send
      : (request, timeoutMs) =>
          send(request, timeoutMs).pipe(
            Effect.tap((response) =>
              Effect.annotateCurrentSpan({
                "http.response.status_code": response.status,
                "cdn.correlation_id": response.headers["x-correlation-id"] ?? ""
              })
            ),
            Effect.withSpan("cdn-proxy upstream attempt", {
              kind: "client",
              attributes: { "http.request.method": request.method, "url.path": new URL(request.url).pathname }
            })
          )
    // A first attempt goes on the callback only when nothing has to wait or be traced around it.
    if (limit === undefined && !tracing) return counted
    return { send: limit === undefined ? traced : (request, timeoutMs) => limit(traced(request, timeoutMs)) }
  })
)

/**
 * One budget for every replica: a token bucket holding one call, refilled at the rate, so that no second sees more
 * than rate + 1 calls, whichever replica makes them. A Redis failure spends from the local limiter instead.
 */
const globalLimit = (
  url: Redacted.Redacted<string>,
  perSecond: number,
  local: RateLimiter.RateLimiter,
  metrics: Metrics.MetricsShape
) =>
  Effect.gen(function* () {
    // Loaded only with REDIS_URL, as in Shared.
    const SharedLimiterRedis = yield* Effect.promise(() => import("@effect/experimental/RateLimiter/Redis"))
    const store = SharedLimiterRedis.layerStore({ ...redisOptions(Redacted.value(url)), prefix: "cdn-proxy:upstream:" })
    const shared = Context.get(yield* Layer.build(Layer.provide(SharedLimiter.layer, store)), SharedLimiter.RateLimiter)
    // A call costs `share` tokens, each refilled in about a millisecond. The store counts a wait in whole tokens from
    // the moment of asking: with one token per call a call could start up to 1/rate late and land beside the next.
    const share = Math.max(1, Math.floor(1000 / perSecond))
    const window = Duration.millis(1000 / perSecond)
    // The wait the shared budget asks for; undefined when Redis cannot say.
    const wait = shared
      .consume({ key: "budget", algorithm: "token-bucket", onExceeded: "delay", window, limit: share, tokens: share })
      .pipe(
        Effect.timeout("250 millis"),
        Effect.map((result): Duration.Duration | undefined => result.delay),
        Effect.catchAll(() => {
          metrics.count(Metrics.redisErrors)
          return Effect.succeed(undefined)
        })
      )
    return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.flatMap(wait, (delay) =>
        delay === undefined ? local(effect) : Effect.zipRight(Effect.sleep(delay), effect)
      )
  })

/** cdn-core's policy from `CdnConfig`, with every retry counted. */
const countedPolicy = (config: CdnConfig.CdnConfigShape, metrics: Metrics.MetricsShape) =>
  Retry.policy(config.retry).pipe(
    Schedule.tapOutput((step) => {
      if (step.delayMs !== undefined) metrics.count(Metrics.retries)
      return Effect.void
    })
  )

/**
 * `CdnClient` as the proxy uses it, signing with the key from `AZURE_CDN_KEY_VALUE` or, following its changes,
 * `AZURE_CDN_KEY_VALUE_FILE`. Needs `CdnConfig` and `ProxyConfig`; the rate limiter lives as long as the layer.
 */
export const layer: Layer.Layer<
  CdnClient.CdnClient,
  ConfigError.ConfigError,
  CdnConfig.CdnConfig | ProxyConfig | Metrics.Metrics | JsonLog.JsonLog
> = CdnClient.CdnClient.DefaultWithoutDependencies.pipe(
  Layer.provide(KeyFile.signer),
  Layer.provide(
    Layer.effect(
      Retry.Policy,
      Effect.zipWith(CdnConfig.CdnConfig, Metrics.Metrics, (config, metrics) => countedPolicy(config, metrics))
    )
  ),
  Layer.provide(
    measured.pipe(
      Layer.provide(
        Layer.unwrapEffect(
          Effect.map(ProxyConfig, (settings) => UndiciTransport.layer({ connections: settings.upstreamConnections }))
        )
      )
    )
  )
)
