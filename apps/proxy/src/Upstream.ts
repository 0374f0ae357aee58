/**
 * The way to the service: cdn-core's `CdnClient` over its undici transport, each attempt counted and timed, under an
 * optional client-side rate limit (so that many callers cannot trip the service's throttle), retries counted.
 */
import { type CdnClient, CdnConfig, Retry, Transport, TransportClient, UndiciTransport } from "@org/cdn-core"
import { Effect, Layer, RateLimiter, Schedule } from "effect"
import * as Metrics from "./Metrics.js"
import { ProxyConfig } from "./ProxyConfig.js"

const outcomeOf = (status: number): string =>
  status < 300 ? "ok" : status === 429 ? "http_429" : status < 500 ? "http_4xx" : "http_5xx"

const byOutcome = {
  transport: Metrics.labels("outcome", "transport_error"),
  timeout: Metrics.labels("outcome", "timeout")
}

/** Wraps the transport: every attempt counted by outcome and timed; waits for the rate limit first when there is one. */
const measured = Layer.scoped(
  Transport.Transport,
  Effect.gen(function* () {
    const inner = yield* Transport.Transport
    const settings = yield* ProxyConfig
    const limit =
      settings.upstreamRateLimit === undefined
        ? undefined
        : yield* RateLimiter.make({
            limit: settings.upstreamRateLimit,
            interval: "1 second",
            algorithm: "token-bucket"
          })
    const send: Transport.TransportShape["send"] = (request, timeoutMs) =>
      Effect.suspend(() => {
        const started = performance.now()
        return inner.send(request, timeoutMs).pipe(
          Effect.tap((response) => {
            Metrics.count(Metrics.upstreamCalls, Metrics.labels("outcome", outcomeOf(response.status)))
            Metrics.observe(Metrics.upstreamDuration, (performance.now() - started) / 1000)
          }),
          Effect.tapError((error) => {
            Metrics.count(
              Metrics.upstreamCalls,
              error._tag === "RequestTimeout" ? byOutcome.timeout : byOutcome.transport
            )
            return Effect.void
          })
        )
      })
    return { send: limit === undefined ? send : (request, timeoutMs) => limit(send(request, timeoutMs)) }
  })
)

/** cdn-core's policy from `CdnConfig`, with every retry counted. */
const countedPolicy = (config: CdnConfig.CdnConfigShape) =>
  Retry.policy(config.retry).pipe(
    Schedule.tapOutput((step) => {
      if (step.delayMs !== undefined) Metrics.count(Metrics.retries)
      return Effect.void
    })
  )

/** `CdnClient` as the proxy uses it. Needs `CdnConfig` and `ProxyConfig`; the rate limiter lives as long as the layer. */
export const layer: Layer.Layer<CdnClient.CdnClient, never, CdnConfig.CdnConfig | ProxyConfig> =
  TransportClient.layer.pipe(
    Layer.provide(Layer.effect(Retry.Policy, Effect.map(CdnConfig.CdnConfig, countedPolicy))),
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
