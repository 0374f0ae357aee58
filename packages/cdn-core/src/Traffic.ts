/**
 * Traffic: volume and bandwidth over a time range. Times go on the wire as UTC `yyyy-MM-ddTHH:mm:ssZ`; numbers
 * may arrive as JSON strings. Day buckets start at 16:00Z, midnight in China (UTC+8).
 */
import { Arbitrary, type FastCheck, ParseResult, Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { LenientNumber, NullableList } from "./internal/lenient.js"
import * as Wire from "./Wire.js"

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

const wholeSecond = (at: number): Date => new Date(Math.floor(at / 1000) * 1000)

/**
 * A time given as a `Date` or an ISO-8601 string with its zone (`Z` or `+08:00`); read as a `Date` in whole seconds,
 * the precision the calls take.
 */
export const TrafficTime = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.DateFromSelf),
  Schema.DateFromSelf,
  {
    strict: true,
    decode: (value, _, ast) => {
      const at = typeof value === "string" ? (zoned.test(value) ? Date.parse(value) : Number.NaN) : value.getTime()
      return Number.isNaN(at)
        ? ParseResult.fail(
            new ParseResult.Type(
              ast,
              value,
              `must be a UTC time such as 2024-01-01T00:00:00Z (with its zone), got ${quoted(value)}`
            )
          )
        : ParseResult.succeed(wholeSecond(at))
    },
    encode: ParseResult.succeed
  }
)

/** A time on the wire, exactly as the calls take it: UTC `yyyy-MM-ddTHH:mm:ssZ`. */
export const TrafficTimeOnWire = Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) ? Date.parse(text) : Number.NaN
    // Date.parse rolls 2024-02-30 over to March: the round trip catches it.
    return Number.isNaN(at) || formatTrafficTime(at) !== text
      ? ParseResult.fail(
          new ParseResult.Type(ast, text, `must be a UTC time as yyyy-MM-ddTHH:mm:ssZ, got ${quoted(text)}`)
        )
      : ParseResult.succeed(new Date(at))
  },
  encode: (at) => ParseResult.succeed(formatTrafficTime(at.getTime()))
})

// startTime before endTime, and no more than the longest span, named by the field to change.
const orderedRange = (input: { readonly startTime: Date; readonly endTime: Date }) =>
  input.endTime.getTime() <= input.startTime.getTime()
    ? { path: ["endTime"], message: "must be after startTime" }
    : input.endTime.getTime() - input.startTime.getTime() > maxSpanDays * 86_400_000
      ? { path: ["endTime"], message: `the range may span at most ${maxSpanDays} days` }
      : true

// Ranges as a property test draws them: whole seconds, ordered, within the longest span.
const ranges = (fc: typeof FastCheck) =>
  fc
    .tuple(fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }), fc.integer({ min: 1, max: maxSpanDays * 86_400 }))
    .map(([start, span]) => ({ startTime: new Date(start * 1000), endTime: new Date((start + span) * 1000) }))

const GranularityField = Wire.OneOf(Granularities)

const rangeFields = { subscriptionId: SubscriptionId, startTime: TrafficTime, endTime: TrafficTime }

// Draws an input's other fields, then a range in order (a property test's random pair of times rarely is).
const drawnRange =
  <A extends { readonly startTime: Date; readonly endTime: Date }, I>(fields: Schema.Schema<A, I>) =>
  () =>
  (fc: typeof FastCheck): FastCheck.Arbitrary<A> =>
    fc.tuple(Arbitrary.make(Schema.typeSchema(fields)), ranges(fc)).map(([value, range]) => ({ ...value, ...range }))

/** `getEndpointVolume` input. */
const endpointVolumeFields = Schema.Struct({ ...rangeFields, endpointId: EndpointId, granularity: GranularityField })
export const EndpointVolumeInput = endpointVolumeFields.pipe(
  Schema.filter(orderedRange),
  Schema.annotations({ arbitrary: drawnRange(endpointVolumeFields) })
)
export type EndpointVolumeInput = typeof EndpointVolumeInput.Encoded

/** `getSubscriptionVolume` input. */
const subscriptionVolumeFields = Schema.Struct({ ...rangeFields, granularity: GranularityField })
export const SubscriptionVolumeInput = subscriptionVolumeFields.pipe(
  Schema.filter(orderedRange),
  Schema.annotations({ arbitrary: drawnRange(subscriptionVolumeFields) })
)
export type SubscriptionVolumeInput = typeof SubscriptionVolumeInput.Encoded

/** `getEndpointBandwidth` input (no granularity). */
const endpointBandwidthFields = Schema.Struct({ ...rangeFields, endpointId: EndpointId })
export const EndpointBandwidthInput = endpointBandwidthFields.pipe(
  Schema.filter(orderedRange),
  Schema.annotations({ arbitrary: drawnRange(endpointBandwidthFields) })
)
export type EndpointBandwidthInput = typeof EndpointBandwidthInput.Encoded

/** The query of a volume call: `granularity`, `startTime`, `endTime` (names in any case, no other). */
export const VolumeQuery = Wire.object({
  granularity: GranularityField,
  startTime: TrafficTimeOnWire,
  endTime: TrafficTimeOnWire
}).pipe(
  Schema.filter(orderedRange),
  Schema.annotations({
    arbitrary: () => (fc) =>
      fc.tuple(ranges(fc), fc.constantFrom(...Granularities)).map(([range, granularity]) => ({ ...range, granularity }))
  })
)

/** The query of the bandwidth call: `startTime`, `endTime`; a granularity is refused (bandwidth has none). */
export const BandwidthQuery = Wire.object({ startTime: TrafficTimeOnWire, endTime: TrafficTimeOnWire }).pipe(
  Schema.filter(orderedRange),
  Schema.annotations({ arbitrary: () => ranges })
)

// A number every answer of the call holds (a string holding one reads too).
const required = <K extends string>(key: K) => Schema.propertySignature(LenientNumber).pipe(Schema.fromKey(key))

/** One bucket of volume, in MB. */
export class VolumeItem extends Schema.Class<VolumeItem>("VolumeItem")({
  timestamp: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("Timestamp")),
  volumeInMB: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("VolumeInMB")),
  originVolumeInMB: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("OriginVolumeInMB"))
}) {}

/** An endpoint's volume over the range. */
export class EndpointVolume extends Schema.Class<EndpointVolume>("EndpointVolume")({
  domainName: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("DomainName")),
  items: Schema.propertySignature(NullableList(VolumeItem)).pipe(Schema.fromKey("Items")),
  totalCdnVolumeInMB: required("TotalCdnVolumeInMB"),
  totalOriginVolumeInMB: required("TotalOriginVolumeInMB")
}) {}

/** A subscription's volume: one `EndpointVolume` per domain, and totals. */
export class SubscriptionVolume extends Schema.Class<SubscriptionVolume>("SubscriptionVolume")({
  details: Schema.propertySignature(Schema.Record({ key: Schema.String, value: EndpointVolume })).pipe(
    Schema.fromKey("Details")
  ),
  totalCdnVolumeInMB: required("TotalCdnVolumeInMB"),
  totalOriginVolumeInMB: required("TotalOriginVolumeInMB")
}) {}

/** One bucket of bandwidth, in Mbps. */
export class BandwidthItem extends Schema.Class<BandwidthItem>("BandwidthItem")({
  timestamp: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("Timestamp")),
  bandwidthInMbps: Schema.propertySignature(LenientNumber).pipe(Schema.fromKey("BandwidthInMbps")),
  originBandwidthInMbps: required("OriginBandwidthInMbps")
}) {}

/** An endpoint's bandwidth over the range, with its peaks and valleys. */
export class EndpointBandwidth extends Schema.Class<EndpointBandwidth>("EndpointBandwidth")({
  domainName: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("DomainName")),
  items: Schema.propertySignature(NullableList(BandwidthItem)).pipe(Schema.fromKey("Items")),
  peakBandwidthInMbps: required("PeakBandwidthInMbps"),
  valleyBandwidthInMbps: required("ValleyBandwidthInMbps"),
  peakOriginBandwidthInMbps: required("PeakOriginBandwidthInMbps"),
  valleyOriginBandwidthInMbps: required("ValleyOriginBandwidthInMbps")
}) {}
