/**
 * How traffic prints: sizes and rates in human units (`Units`), a table per series, and on a terminal a one-line sparkline.
 */
import { EndpointBandwidth, EndpointVolume, SubscriptionVolume } from "@org/cdn-core/Traffic"
import { Schema } from "effect"
import type { OutputFormat } from "./GlobalOptions.js"
import { columns, tsv } from "./Table.js"
import { humanRate, humanSize } from "./Units.js"

const blocks = "▁▂▃▄▅▆▇█"

/** The series as one line of block characters, at most `width` wide (buckets merged by their peak). */
export const sparkline = (values: ReadonlyArray<number>, width = 80): string => {
  if (values.length === 0) return ""
  const per = Math.ceil(values.length / Math.max(1, width))
  const merged: Array<number> = []
  for (let i = 0; i < values.length; i += per) merged.push(Math.max(...values.slice(i, i + per)))
  const min = Math.min(...merged)
  const span = Math.max(...merged) - min
  return merged.map((v) => blocks[span === 0 ? 3 : Math.round(((v - min) / span) * (blocks.length - 1))]).join("")
}

const encodeVolume = Schema.encodeSync(EndpointVolume)
const encodeBandwidth = Schema.encodeSync(EndpointBandwidth)

/** Volume: the service's JSON, TSV (`timestamp<TAB>MB<TAB>origin MB`), or a table with totals and a sparkline. */
export const volumeText = (volume: EndpointVolume, format: OutputFormat, chart: boolean, width?: number): string => {
  switch (format) {
    case "json":
      return JSON.stringify(encodeVolume(volume), null, 2)
    case "tsv":
      return tsv(volume.items.map((item) => [item.timestamp, item.volumeInMB, item.originVolumeInMB]))
    case "table": {
      const rows = volume.items.map((item) => [
        item.timestamp,
        humanSize(item.volumeInMB),
        humanSize(item.originVolumeInMB)
      ])
      const lines = [
        `${volume.domainName || "volume"}: ${humanSize(volume.totalCdnVolumeInMB)} from the CDN, ${humanSize(volume.totalOriginVolumeInMB)} from the origin`,
        columns(["TIME", "CDN", "ORIGIN"], rows)
      ]
      if (chart)
        lines.push(
          sparkline(
            volume.items.map((item) => item.volumeInMB),
            width
          )
        )
      return lines.join("\n")
    }
  }
}

/** Bandwidth: the service's JSON, TSV, or a table with peak and valley and a sparkline. */
export const bandwidthText = (
  bandwidth: EndpointBandwidth,
  format: OutputFormat,
  chart: boolean,
  width?: number
): string => {
  switch (format) {
    case "json":
      return JSON.stringify(encodeBandwidth(bandwidth), null, 2)
    case "tsv":
      return tsv(bandwidth.items.map((item) => [item.timestamp, item.bandwidthInMbps, item.originBandwidthInMbps]))
    case "table": {
      const rows = bandwidth.items.map((item) => [
        item.timestamp,
        humanRate(item.bandwidthInMbps),
        humanRate(item.originBandwidthInMbps)
      ])
      const lines = [
        `${bandwidth.domainName || "bandwidth"}: peak ${humanRate(bandwidth.peakBandwidthInMbps)}, valley ${humanRate(bandwidth.valleyBandwidthInMbps)}`,
        columns(["TIME", "CDN", "ORIGIN"], rows)
      ]
      if (chart)
        lines.push(
          sparkline(
            bandwidth.items.map((item) => item.bandwidthInMbps),
            width
          )
        )
      return lines.join("\n")
    }
  }
}

const encodeSubscription = Schema.encodeSync(SubscriptionVolume)

/** A subscription's volume: its totals, then a table (and a sparkline) per domain; TSV lines start with the domain. */
export const subscriptionVolumeText = (
  volume: SubscriptionVolume,
  format: OutputFormat,
  chart: boolean,
  width?: number
): string => {
  const domains = Object.entries(volume.details).sort(([a], [b]) => (a < b ? -1 : 1))
  switch (format) {
    case "json":
      return JSON.stringify(encodeSubscription(volume), null, 2)
    case "tsv":
      return tsv(
        domains.flatMap(([domain, series]) =>
          series.items.map((item) => [domain, item.timestamp, item.volumeInMB, item.originVolumeInMB])
        )
      )
    case "table":
      return [
        `subscription: ${humanSize(volume.totalCdnVolumeInMB)} from the CDN, ${humanSize(volume.totalOriginVolumeInMB)} from the origin, ${domains.length} domain${domains.length === 1 ? "" : "s"}`,
        ...domains.map(
          ([domain, series]) =>
            `\n${volumeText(new EndpointVolume({ ...series, domainName: series.domainName || domain }), "table", chart, width)}`
        )
      ].join("\n")
  }
}
