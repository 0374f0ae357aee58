/**
 * `cdn-proxy`: reads its settings from the environment, listens, serves until SIGTERM/SIGINT, drains, exits 0.
 * A configuration error stops it before it listens, with one line naming the variable and exit code 2.
 */
import "./Footprint.js"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { CdnConfig } from "@org/cdn-core"
import { ConfigError, Effect, Layer } from "effect"
import * as Dedupe from "./Dedupe.js"
import * as JsonLog from "./JsonLog.js"
import * as KeyFile from "./KeyFile.js"
import * as Listener from "./Listener.js"
import * as Metrics from "./Metrics.js"
import * as ProxyConfig from "./ProxyConfig.js"
import * as Reads from "./Reads.js"
import * as Shared from "./Shared.js"
import * as Tracing from "./Tracing.js"
import * as Upstream from "./Upstream.js"
import { version } from "./Version.js"
import * as Writes from "./Writes.js"

// Every upstream request says who sends it: this proxy, then the library.
const upstreamConfig = Layer.effect(
  CdnConfig.CdnConfig,
  Effect.map(KeyFile.cdnConfig, (config) => ({
    ...config,
    userAgent: CdnConfig.userAgent({ before: `cdn-proxy/${version}` })
  }))
)

const settings = Layer.merge(ProxyConfig.fromEnv, upstreamConfig)

// Each layer is released in the reverse order it was built: the listener drains before the upstream pool closes.
// With REDIS_URL the replicas share answers, a lock for misses, the dedupe window and the upstream budget; without
// it the proxy is a lone replica. Chosen once, at start-up: no request checks which.
const sharing = Layer.unwrapEffect(
  Effect.map(ProxyConfig.ProxyConfig, (settings) =>
    settings.redisUrl === undefined
      ? Layer.merge(Shared.none, Dedupe.memory)
      : Layer.provideMerge(Dedupe.shared, Shared.redis(settings.redisUrl))
  )
)

const proxy = Listener.layer.pipe(
  Layer.provide(Layer.merge(Reads.layer, Writes.layer)),
  Layer.provideMerge(sharing),
  Layer.provide(Upstream.layer),
  Layer.provide(settings),
  // Spans only with OTEL_EXPORTER_OTLP_ENDPOINT: without it the tracer is off and costs nothing.
  Layer.provide(Layer.unwrapEffect(Effect.map(Tracing.endpoint, Tracing.layer))),
  // Built first, released last: the log is flushed after everything else stopped.
  Layer.provide(Layer.merge(Metrics.layer, JsonLog.layer))
)

const main = Layer.launch(proxy).pipe(
  Effect.catchAll((error) =>
    Effect.sync(() => {
      const configuration = ConfigError.isConfigError(error)
      const message = configuration
        ? `invalid configuration: ${ProxyConfig.describeError(error)}`
        : `could not start: ${error.message}`
      // The log's own lines are flushed at exit.
      process.stderr.write(`cdn-proxy: ${message}\n`)
      process.exit(configuration ? 2 : 1)
    })
  )
)

NodeRuntime.runMain(main, { disablePrettyLogger: true })
