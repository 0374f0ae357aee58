/**
 * Traffic: volume and bandwidth over a time range. Times go on the wire as UTC `yyyy-MM-ddTHH:mm:ssZ`; numbers
 * may arrive as JSON strings. Day buckets start at 16:00Z, midnight in China (UTC+8).
 */
import { ParseResult, Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { LenientArray, LenientNumber, OneOf } from "./internal/lenient.js"

/** `PerFiveMinutes|PerHour|PerDay` (volume only: bandwidth has none). */
export const Granularities = ["PerFiveMinutes", "PerHour", "PerDay"] as const
export type Granularity = (typeof Granularities)[number]

/** The longest range asked in one call. The API documents none; the portal allows 60 days. */
export const maxSpanDays = 60

const pad = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/** A time as the traffic calls take it: UTC `yyyy-MM-ddTHH:mm:ssZ`, whole seconds. */
export const formatTrafficTime = (epochMillis: number): string => {
  const d = new Date(Math.floor(epochMillis / 1000) * 1000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
}

// A string must say its zone: `2024-01-01T00:00:00` alone could be any of 24 instants.
const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i

/** A time given as a `Date` or an ISO-8601 string with its zone (`Z` or `+08:00`); read as epoch milliseconds. */
export const TrafficTime = Schema.transformOrFail(Schema.Union(Schema.String, Schema.DateFromSelf), Schema.Number, {
  strict: true,
  decode: (value, _, ast) => {
    const text = typeof value === "string" ? value.trim() : undefined
    const at = text === undefined ? (value as Date).getTime() : zoned.test(text) ? Date.parse(text) : Number.NaN
    return Number.isNaN(at)
      ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            value,
            `must be a UTC time such as 2024-01-01T00:00:00Z (with its zone), got ${quoted(value)}`
          )
        )
      : ParseResult.succeed(at)
  },
  encode: (at) => ParseResult.succeed(formatTrafficTime(at))
})

const rangeFields = {
  subscriptionId: SubscriptionId,
  startTime: TrafficTime,
  endTime: TrafficTime
}

// startTime before endTime, and no more than the longest span, named by the field to change.
const orderedRange = (input: { readonly startTime: number; readonly endTime: number }) =>
  input.endTime <= input.startTime
    ? { path: ["endTime"], message: "must be after startTime" }
    : input.endTime - input.startTime > maxSpanDays * 86_400_000
      ? { path: ["endTime"], message: `the range may span at most ${maxSpanDays} days` }
      : true

const GranularityField = OneOf(Granularities, "granularity")

/** `getEndpointVolume` input. */
export const EndpointVolumeInput = Schema.Struct({
  ...rangeFields,
  endpointId: EndpointId,
  granularity: GranularityField
}).pipe(Schema.filter(orderedRange))
export type EndpointVolumeInput = typeof EndpointVolumeInput.Encoded

/** `getSubscriptionVolume` input. */
export const SubscriptionVolumeInput = Schema.Struct({ ...rangeFields, granularity: GranularityField }).pipe(
  Schema.filter(orderedRange)
)
export type SubscriptionVolumeInput = typeof SubscriptionVolumeInput.Encoded

/** `getEndpointBandwidth` input (no granularity). */
export const EndpointBandwidthInput = Schema.Struct({ ...rangeFields, endpointId: EndpointId }).pipe(
  Schema.filter(orderedRange)
)
export type EndpointBandwidthInput = typeof EndpointBandwidthInput.Encoded

/** The query of a traffic call: times formatted, granularity when there is one. */
export const trafficQuery = (input: {
  readonly startTime: number
  readonly endTime: number
  readonly granularity?: Granularity
}): ReadonlyArray<readonly [string, string]> => [
  ...(input.granularity === undefined ? [] : [["granularity", input.granularity] as const]),
  ["startTime", formatTrafficTime(input.startTime)],
  ["endTime", formatTrafficTime(input.endTime)]
]

/** One bucket of volume, in MB. */
export class VolumeItem extends Schema.Class<VolumeItem>("VolumeItem")({
  timestamp: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("Timestamp")),
  volumeInMB: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("VolumeInMB")),
  originVolumeInMB: Schema.optionalWith(LenientNumber, { default: () => 0 }).pipe(Schema.fromKey("OriginVolumeInMB"))
}) {}

/** An endpoint's volume over the range. */
export class EndpointVolume extends Schema.Class<EndpointVolume>("EndpointVolume")({
  domainName: Schema.optionalWith(Schema.String, { default: () => "" }).pipe(Schema.fromKey("DomainName")),
  items: LenientArray(VolumeItem).pipe(Schema.fromKey("Items")),
  totalCdnVolumeInMB: Schema.optionalWith(LenientNumber, { default: () => 0 }).pipe(
    Schema.fromKey("TotalCdnVolumeInMB")
  ),
  totalOriginVolumeInMB: Schema.optionalWith(LenientNumber, { default: () => 0 }).pipe(
    Schema.fromKey("TotalOriginVolumeInMB")
  )
}) {}

/** A subscription's volume: one `EndpointVolume` per domain, and totals. */
export class SubscriptionVolume extends Schema.Class<SubscriptionVolume>("SubscriptionVolume")({
  details: Schema.optionalWith(Schema.Record({ key: Schema.String, value: EndpointVolume }), {
    default: () => ({}),
    nullable: true
  }).pipe(Schema.fromKey("Details")),
  totalCdnVolumeInMB: Schema.optionalWith(LenientNumber, { default: () => 0 }).pipe(
    Schema.fromKey("TotalCdnVolumeInMB")
  ),
  totalOriginVolumeInMB: Schema.optionalWith(LenientNumber, { default: () => 0 }).pipe(
    Schema.fromKey("TotalOriginVolumeInMB")
  )
}) {}

/** One bucket of bandwidth, in Mbps. */
export class BandwidthItem extends Schema.Class<BandwidthItem>("BandwidthItem")({
  timestamp: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("Timestamp")),
  bandwidthInMbps: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("BandwidthInMbps")),
  originBandwidthInMbps: Schema.optionalWith(LenientNumber, { default: () => 0 }).pipe(
    Schema.fromKey("OriginBandwidthInMbps")
  )
}) {}

const peak = <K extends string>(key: K) =>
  Schema.optionalWith(LenientNumber, { default: () => 0 }).pipe(Schema.fromKey(key))

/** An endpoint's bandwidth over the range, with its peaks and valleys. */
export class EndpointBandwidth extends Schema.Class<EndpointBandwidth>("EndpointBandwidth")({
  domainName: Schema.optionalWith(Schema.String, { default: () => "" }).pipe(Schema.fromKey("DomainName")),
  items: LenientArray(BandwidthItem).pipe(Schema.fromKey("Items")),
  peakBandwidthInMbps: peak("PeakBandwidthInMbps"),
  valleyBandwidthInMbps: peak("ValleyBandwidthInMbps"),
  peakOriginBandwidthInMbps: peak("PeakOriginBandwidthInMbps"),
  valleyOriginBandwidthInMbps: peak("ValleyOriginBandwidthInMbps")
}) {}
