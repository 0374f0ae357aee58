/**
 * Traffic the emulator reports: deterministic, plausible series for any range and granularity. The same endpoint
 * and bucket always give the same number; a day peaks in the Chinese evening and dips before dawn.
 */

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour
// Day buckets start at midnight in China, 16:00Z.
const dayOffset = 16 * hour

/** Bucket lengths by granularity; bandwidth is reported per five minutes. */
export const bucketMs = { PerFiveMinutes: 5 * minute, PerHour: hour, PerDay: day } as const

/** The first bucket start at or before `at`. */
const align = (at: number, size: number): number =>
  size === day ? Math.floor((at - dayOffset) / day) * day + dayOffset : Math.floor(at / size) * size

// FNV-1a over the text, then a mulberry32 step: a stable draw in [0, 1) per (endpoint, bucket).
const draw = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  let t = (h + 0x6d2b79f5) >>> 0
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Megabytes per minute at `at`: an endpoint's own scale, a daily curve (peak 21:00 China time), some noise. */
const mbPerMinute = (endpointId: string, at: number): number => {
  const scale = 20 + 180 * draw(endpointId)
  const chinaHour = ((at + 8 * hour) % day) / hour
  const curve = 0.55 + 0.45 * Math.cos(((chinaHour - 21) / 24) * 2 * Math.PI)
  return scale * curve * (0.85 + 0.3 * draw(`${endpointId}/${Math.floor(at / (5 * minute))}`))
}

const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places

const stamp = (at: number): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z")

/** Whole buckets from the one holding `start` to the last starting before `end`. */
const buckets = (start: number, end: number, size: number): Array<number> => {
  const out: Array<number> = []
  for (let at = align(start, size); at < end; at += size) out.push(at)
  return out
}

// The share of traffic that missed the cache and went to the origin.
const originShare = (endpointId: string): number => 0.05 + 0.15 * draw(`${endpointId}/origin`)

/** An endpoint's volume over the range, as the service answers it. */
export const endpointVolume = (domainName: string, endpointId: string, start: number, end: number, size: number) => {
  const share = originShare(endpointId)
  const items = buckets(start, end, size).map((at) => {
    // The bucket's volume: its five-minute samples added up.
    let volume = 0
    for (let t = at; t < at + size; t += 5 * minute) volume += mbPerMinute(endpointId, t) * 5
    return { Timestamp: stamp(at), VolumeInMB: round(volume, 2), OriginVolumeInMB: round(volume * share, 2) }
  })
  return {
    DomainName: domainName,
    Items: items,
    TotalCdnVolumeInMB: round(
      items.reduce((sum, item) => sum + item.VolumeInMB, 0),
      2
    ),
    TotalOriginVolumeInMB: round(
      items.reduce((sum, item) => sum + item.OriginVolumeInMB, 0),
      2
    )
  }
}

/** An endpoint's bandwidth over the range, per five minutes, with its peaks and valleys. */
export const endpointBandwidth = (domainName: string, endpointId: string, start: number, end: number) => {
  const share = originShare(endpointId)
  const items = buckets(start, end, 5 * minute).map((at) => {
    const mbps = (mbPerMinute(endpointId, at) * 8) / 60
    return {
      Timestamp: stamp(at),
      BandwidthInMbps: round(mbps, 3),
      OriginBandwidthInMbps: round(mbps * share, 3)
    }
  })
  const cdn = items.map((item) => item.BandwidthInMbps)
  const origin = items.map((item) => item.OriginBandwidthInMbps)
  const peak = (values: Array<number>) => (values.length === 0 ? 0 : Math.max(...values))
  const valley = (values: Array<number>) => (values.length === 0 ? 0 : Math.min(...values))
  return {
    DomainName: domainName,
    Items: items,
    PeakBandwidthInMbps: peak(cdn),
    ValleyBandwidthInMbps: valley(cdn),
    PeakOriginBandwidthInMbps: peak(origin),
    ValleyOriginBandwidthInMbps: valley(origin)
  }
}
