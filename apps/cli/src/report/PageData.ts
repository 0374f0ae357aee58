/**
 * The data the traffic report embeds for its charts: per endpoint, each series as columns (uPlot's shape), times in
 * seconds.
 */
import type { TrafficSummary } from "@org/cdn-core/TrafficReport"

export interface Series {
  readonly t: ReadonlyArray<number>
  readonly cdn: ReadonlyArray<number>
  readonly origin: ReadonlyArray<number>
}

export interface PageData {
  readonly timeZone: string
  readonly endpoints: ReadonlyArray<{ readonly domain: string; readonly volume: Series; readonly bandwidth: Series }>
}

const columns = (points: ReadonlyArray<{ readonly at: number; readonly cdn: number; readonly origin: number }>) => ({
  t: points.map((point) => point.at / 1000),
  cdn: points.map((point) => point.cdn),
  origin: points.map((point) => point.origin)
})

/** The summary's series as the page reads them. */
export const pageData = (summary: TrafficSummary): PageData => ({
  timeZone: summary.timeZone,
  endpoints: summary.endpoints.map((endpoint) => ({
    domain: endpoint.domain,
    volume: columns(endpoint.volume),
    bandwidth: columns(endpoint.bandwidth)
  }))
})
