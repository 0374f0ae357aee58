/**
 * What the proxy counts, as Effect metrics, and their Prometheus text. Updates on the hot path use labels built once
 * (Effect keeps a hook per label array), so counting a request costs a few array writes.
 */
import { Context, Layer, Metric, MetricBoundaries, type MetricLabel, MetricState } from "effect"
import * as MetricLabels from "effect/MetricLabel"
import { processText } from "./ProcessMetrics.js"

const prefix = "cdn_proxy_"
const seconds = MetricBoundaries.fromIterable([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
])

export const requests = Metric.counter(`${prefix}requests_total`, {
  description: "Requests answered, by route and status"
})
export const requestDuration = Metric.histogram(
  `${prefix}request_duration_seconds`,
  seconds,
  "Time to answer, by route"
)
export const upstreamCalls = Metric.counter(`${prefix}upstream_calls_total`, {
  description: "Calls to the service (each attempt), by outcome"
})
export const upstreamDuration = Metric.histogram(
  `${prefix}upstream_duration_seconds`,
  seconds,
  "Time of one call to the service"
)
export const retries = Metric.counter(`${prefix}upstream_retries_total`, {
  description: "Attempts retried after a failure"
})
export const cacheHits = Metric.counter(`${prefix}cache_hits_total`, { description: "Answers served from the cache" })
export const cacheMisses = Metric.counter(`${prefix}cache_misses_total`, {
  description: "Requests that started an upstream call"
})
export const permissionRefusals = Metric.counter(`${prefix}permission_refusals_total`, {
  description: "Calls refused because the token lacks the permission or the scope"
})
export const dedupeHits = Metric.counter(`${prefix}dedupe_hits_total`, {
  description: "Purges and preloads answered with the first one's id within PROXY_PURGE_DEDUPE_SECONDS"
})
export const sharedHits = Metric.counter(`${prefix}shared_hits_total`, {
  description: "Misses answered from the replicas' shared store (Redis)"
})
export const redisErrors = Metric.counter(`${prefix}redis_errors_total`, {
  description: "Redis operations that failed or timed out (the proxy then served on its own)"
})
export const redisUp = Metric.gauge(`${prefix}redis_up`, {
  description: "1 while the shared Redis answers, 0 while it is down (only with REDIS_URL)"
})
export const coalesced = Metric.counter(`${prefix}coalesced_waits_total`, {
  description: "Requests that waited for another request's upstream call"
})

const none: ReadonlyArray<MetricLabel.MetricLabel> = []
const memo = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

/** The same label array for the same labels, so that Effect finds the metric's hook without hashing. */
export const labels = (...pairs: ReadonlyArray<string>): ReadonlyArray<MetricLabel.MetricLabel> => {
  const key = pairs.join("\u0000")
  let found = memo.get(key)
  if (found === undefined) {
    const built: Array<MetricLabel.MetricLabel> = []
    for (let i = 0; i + 1 < pairs.length; i += 2) built.push(MetricLabels.make(pairs[i]!, pairs[i + 1]!))
    found = built
    memo.set(key, found)
  }
  return found
}

const byRouteAndStatus = new Map<string, Map<number, ReadonlyArray<MetricLabel.MetricLabel>>>()

/** `{route, status}` labels, looked up without building a string. */
export const routeAndStatus = (route: string, status: number): ReadonlyArray<MetricLabel.MetricLabel> => {
  let byStatus = byRouteAndStatus.get(route)
  if (byStatus === undefined) {
    byStatus = new Map()
    byRouteAndStatus.set(route, byStatus)
  }
  let found = byStatus.get(status)
  if (found === undefined) {
    found = labels("route", route, "status", String(status))
    byStatus.set(status, found)
  }
  return found
}

const byRoute = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

/** `{route}` labels. */
export const routeOnly = (route: string): ReadonlyArray<MetricLabel.MetricLabel> => {
  let found = byRoute.get(route)
  if (found === undefined) {
    found = labels("route", route)
    byRoute.set(route, found)
  }
  return found
}

/** Adds one to a counter, with labels. */
export const count = (metric: Metric.Metric.Counter<number>, by: ReadonlyArray<MetricLabel.MetricLabel> = none): void =>
  metric.unsafeUpdate(1, by)

/** Sets the Redis gauge. */
export const setRedisUp = (up: boolean): void => redisUp.unsafeUpdate(up ? 1 : 0, none)

/** Records a duration in seconds, with labels. */
export const observe = (
  metric: Metric.Metric.Histogram<number>,
  value: number,
  by: ReadonlyArray<MetricLabel.MetricLabel> = none
): void => metric.unsafeUpdate(value, by)

const escapeLabel = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')

const labelText = (tags: ReadonlyArray<MetricLabel.MetricLabel>, extra = ""): string => {
  const parts = tags.map((tag) => `${tag.key}="${escapeLabel(tag.value)}"`)
  if (extra !== "") parts.push(extra)
  return parts.length === 0 ? "" : `{${parts.join(",")}}`
}

const number = (n: number): string => (n === Number.POSITIVE_INFINITY ? "+Inf" : String(n))

/** Every `cdn_proxy_` metric, then the process's own (`ProcessMetrics`), in the Prometheus text format 0.0.4. */
export const prometheusText = (): string => {
  const byName = new Map<string, { help: string; type: string; lines: Array<string> }>()
  for (const pair of Metric.unsafeSnapshot()) {
    const key = pair.metricKey
    if (!key.name.startsWith(prefix)) continue
    const state = pair.metricState
    const tags = key.tags
    const family = (type: string) => {
      let entry = byName.get(key.name)
      if (entry === undefined) {
        entry = { help: key.description._tag === "Some" ? key.description.value : key.name, type, lines: [] }
        byName.set(key.name, entry)
      }
      return entry
    }
    if (MetricState.isCounterState(state)) {
      family("counter").lines.push(`${key.name}${labelText(tags)} ${Number(state.count)}`)
    } else if (MetricState.isGaugeState(state)) {
      family("gauge").lines.push(`${key.name}${labelText(tags)} ${Number(state.value)}`)
    } else if (MetricState.isHistogramState(state)) {
      const lines = family("histogram").lines
      const base = key.name
      for (const [bound, total] of state.buckets) {
        lines.push(`${base}_bucket${labelText(tags, `le="${number(bound)}"`)} ${total}`)
      }
      if (!state.buckets.some(([bound]) => bound === Number.POSITIVE_INFINITY)) {
        lines.push(`${base}_bucket${labelText(tags, 'le="+Inf"')} ${state.count}`)
      }
      lines.push(`${base}_sum${labelText(tags)} ${state.sum}`)
      lines.push(`${base}_count${labelText(tags)} ${state.count}`)
    }
  }
  let out = ""
  for (const [name, entry] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out += `# HELP ${name} ${entry.help}\n# TYPE ${name} ${entry.type}\n${entry.lines.join("\n")}\n`
  }
  return out + processText()
}

/** Counting and reading the proxy's metrics, as a service: given by a layer, so that a test reads what it counted. */
export interface MetricsShape {
  readonly count: typeof count
  readonly observe: typeof observe
  readonly setRedisUp: typeof setRedisUp
  readonly prometheusText: typeof prometheusText
}

export class Metrics extends Context.Tag("@org/cdn-proxy/Metrics")<Metrics, MetricsShape>() {}

/** Effect's metric registry, with the counters that should read 0 before their first event registered. */
export const layer: Layer.Layer<Metrics> = Layer.sync(Metrics, () => {
  for (const metric of [
    cacheHits,
    cacheMisses,
    coalesced,
    retries,
    permissionRefusals,
    dedupeHits,
    sharedHits,
    redisErrors
  ]) {
    metric.register()
  }
  return { count, observe, setRedisUp, prometheusText }
})
