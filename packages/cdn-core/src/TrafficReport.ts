/**
 * A subscription's traffic as a report reads it: each endpoint's volume and bandwidth over one range (`gather`), and
 * what a reader looks for first (`summarize`): the total volume, the peak bandwidth and when it was, a row per day,
 * all in a named time zone.
 */
import { Effect, Schema } from "effect"
import { CdnClient } from "./CdnClient.js"
import type { CdnError } from "./Errors.js"
import { EndpointId } from "./Ids.js"
import { invalidInput } from "./internal/request.js"
import { type EndpointBandwidth, type EndpointVolume, type Granularity, SubscriptionVolumeInput } from "./Traffic.js"

/** One endpoint's series over the range. */
export interface EndpointTraffic {
  readonly endpointId: string
  /** The domain the service names the series by (the custom domain), or the endpoint's GUID when it names none. */
  readonly domain: string
  readonly volume: EndpointVolume
  readonly bandwidth: EndpointBandwidth
}

export interface GatherInput {
  readonly subscriptionId: string
  /** The endpoints to report on; every endpoint of the subscription when absent or empty. */
  readonly endpointIds?: ReadonlyArray<string> | undefined
  /** A `Date` or an ISO-8601 time with its zone, as the traffic calls take it. */
  readonly startTime: Date | string
  readonly endTime: Date | string
  /** The volume's bucket; bandwidth is always per five minutes. */
  readonly granularity: Granularity
}

const endpointIds = Schema.Array(EndpointId)

/**
 * Every endpoint's volume and bandwidth. The range, the subscription and the endpoints' GUIDs are checked before
 * anything is sent (`InvalidInput`); the endpoints are asked two at a time, so that a throttle slows one call, not all.
 */
export const gather = (input: GatherInput): Effect.Effect<ReadonlyArray<EndpointTraffic>, CdnError, CdnClient> =>
  Effect.gen(function* () {
    const range = yield* Schema.decodeUnknown(SubscriptionVolumeInput)({
      subscriptionId: input.subscriptionId,
      startTime: input.startTime,
      endTime: input.endTime,
      granularity: input.granularity
    }).pipe(Effect.mapError(invalidInput))
    const asked = yield* Schema.decodeUnknown(endpointIds)(input.endpointIds ?? []).pipe(Effect.mapError(invalidInput))
    const cdn = yield* CdnClient
    const ids =
      asked.length > 0
        ? [...new Set(asked)]
        : (yield* cdn.listEndpoints({ subscriptionId: range.subscriptionId })).map((endpoint) => endpoint.endpointId)
    const { subscriptionId, startTime, endTime, granularity } = range
    return yield* Effect.forEach(
      ids,
      (endpointId) =>
        Effect.map(
          Effect.all({
            volume: cdn.getEndpointVolume({ subscriptionId, endpointId, startTime, endTime, granularity }),
            bandwidth: cdn.getEndpointBandwidth({ subscriptionId, endpointId, startTime, endTime })
          }),
          ({ volume, bandwidth }) => ({
            endpointId,
            domain: volume.domainName || bandwidth.domainName || endpointId,
            volume,
            bandwidth
          })
        ),
      { concurrency: 2 }
    )
  })

/** A time zone as the IANA database names it (`Asia/Shanghai`, `UTC`); false for a name no zone has. */
export const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name })
    return name.trim() !== ""
  } catch {
    return false
  }
}

/** The zone this process runs in (`TZ`, else the system's). */
export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone

/** A time's calendar day and minute in `timeZone`: `YYYY-MM-DD` and `YYYY-MM-DD HH:MM`. */
export const inZone = (timeZone: string) => {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23"
  })
  const fields = (at: number) => {
    const parts: Record<string, string> = {}
    for (const part of format.formatToParts(at)) parts[part.type] = part.value
    return parts
  }
  return {
    day: (at: number): string => {
      const { year, month, day } = fields(at)
      return `${year}-${month}-${day}`
    },
    minute: (at: number): string => {
      const { year, month, day, hour, minute } = fields(at)
      return `${year}-${month}-${day} ${hour}:${minute}`
    }
  }
}

/**
 * A bucket's timestamp in milliseconds: an ISO-8601 time with its zone, or a time written without one
 * (`2024-01-01T08:00:00`, `2024-01-01 08:00`), which is UTC as every time of the API is; undefined for any other text.
 */
export const bucketTime = (text: string): number | undefined => {
  const zoneless = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(text.trim())
  const at = zoneless !== null ? Date.parse(`${zoneless[1]}T${zoneless[2]}Z`) : Date.parse(text)
  return Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? undefined : at
}

/** A point of a series: when (ms) and how much. */
export interface Point {
  readonly at: number
  readonly cdn: number
  readonly origin: number
}

/** The greatest bandwidth and when it was. */
export interface Peak {
  readonly mbps: number
  readonly at: number
}

export interface EndpointSummary {
  readonly endpointId: string
  readonly domain: string
  /** The service's totals. */
  readonly volumeMB: number
  readonly originVolumeMB: number
  readonly peak: Peak | undefined
  /** The series with readable timestamps, in time order. */
  readonly volume: ReadonlyArray<Point>
  readonly bandwidth: ReadonlyArray<Point>
}

export interface DaySummary {
  /** `YYYY-MM-DD` in the summary's zone. */
  readonly day: string
  /** The day's volume per endpoint, in the order of `endpoints`. */
  readonly volumeMB: ReadonlyArray<number>
  readonly totalMB: number
  readonly originMB: number
  /** The day's greatest bandwidth of the endpoints added up. */
  readonly peak: Peak | undefined
}

export interface TrafficSummary {
  readonly timeZone: string
  readonly endpoints: ReadonlyArray<EndpointSummary>
  /** The endpoints' totals added up, as the service counted them. */
  readonly volumeMB: number
  readonly originVolumeMB: number
  /** The greatest bandwidth of the endpoints added up per five minutes, and when. */
  readonly peak: Peak | undefined
  readonly days: ReadonlyArray<DaySummary>
  /** Buckets left out of the series, the days and the peaks because their timestamp could not be read. */
  readonly unreadable: number
}

// Sums rounded to millionths: adding hundreds of buckets leaves no float drift (0.1 + 0.2) to show.
const add = (a: number, b: number): number => Math.round((a + b) * 1e6) / 1e6

const greater = (peak: Peak | undefined, mbps: number, at: number): Peak =>
  peak === undefined || mbps > peak.mbps || (mbps === peak.mbps && at < peak.at) ? { mbps, at } : peak

/** What a reader looks for first, in `timeZone`. */
export const summarize = (traffic: ReadonlyArray<EndpointTraffic>, timeZone: string): TrafficSummary => {
  const zone = inZone(timeZone)
  let unreadable = 0
  const points = <A>(items: ReadonlyArray<A>, read: (item: A) => { t: string; cdn: number; origin: number }) => {
    const out: Array<Point> = []
    for (const item of items) {
      const { t, cdn, origin } = read(item)
      const at = bucketTime(t)
      if (at === undefined) unreadable += 1
      else out.push({ at, cdn, origin })
    }
    return out.sort((a, b) => a.at - b.at)
  }
  const endpoints = traffic.map((endpoint): EndpointSummary => {
    const volume = points(endpoint.volume.items, (item) => ({
      t: item.timestamp,
      cdn: item.volumeInMB,
      origin: item.originVolumeInMB
    }))
    const bandwidth = points(endpoint.bandwidth.items, (item) => ({
      t: item.timestamp,
      cdn: item.bandwidthInMbps,
      origin: item.originBandwidthInMbps
    }))
    return {
      endpointId: endpoint.endpointId,
      domain: endpoint.domain,
      volumeMB: endpoint.volume.totalCdnVolumeInMB,
      originVolumeMB: endpoint.volume.totalOriginVolumeInMB,
      peak: bandwidth.reduce<Peak | undefined>((peak, point) => greater(peak, point.cdn, point.at), undefined),
      volume,
      bandwidth
    }
  })

  // The endpoints' bandwidth added up per bucket.
  const together = new Map<number, number>()
  for (const endpoint of endpoints) {
    for (const point of endpoint.bandwidth) together.set(point.at, add(together.get(point.at) ?? 0, point.cdn))
  }
  let peak: Peak | undefined
  for (const [at, mbps] of together) peak = greater(peak, mbps, at)

  const days = new Map<string, { volumeMB: Array<number>; originMB: number; peak: Peak | undefined }>()
  const dayOf = (at: number) => {
    const day = zone.day(at)
    let row = days.get(day)
    if (row === undefined) {
      row = { volumeMB: endpoints.map(() => 0), originMB: 0, peak: undefined }
      days.set(day, row)
    }
    return row
  }
  endpoints.forEach((endpoint, index) => {
    for (const point of endpoint.volume) {
      const row = dayOf(point.at)
      row.volumeMB[index] = add(row.volumeMB[index] ?? 0, point.cdn)
      row.originMB = add(row.originMB, point.origin)
    }
  })
  for (const [at, mbps] of together) {
    const row = dayOf(at)
    row.peak = greater(row.peak, mbps, at)
  }

  return {
    timeZone,
    endpoints,
    volumeMB: endpoints.reduce((sum, endpoint) => add(sum, endpoint.volumeMB), 0),
    originVolumeMB: endpoints.reduce((sum, endpoint) => add(sum, endpoint.originVolumeMB), 0),
    peak,
    days: [...days.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([day, row]) => ({
        day,
        volumeMB: row.volumeMB,
        totalMB: row.volumeMB.reduce(add, 0),
        originMB: row.originMB,
        peak: row.peak
      })),
    unreadable
  }
}
