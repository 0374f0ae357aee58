/**
 * Faults on demand: throttling, latency, dropped connections, HTML 5xx pages and truncated JSON, each on a
 * trigger (every Nth request, a seeded rate, or the next N requests), so a failure can be replayed.
 */
import { Schema } from "effect"

/** When a fault fires: exactly one of `every`, `rate` or `times`. */
export const Trigger = Schema.Union(
  Schema.Struct({ every: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)) }),
  Schema.Struct({ rate: Schema.Number.pipe(Schema.between(0, 1)) }),
  Schema.Struct({ times: Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)) })
)
export type Trigger = typeof Trigger.Type

/** The faults to inject, as the control API takes them. */
export const FaultSettings = Schema.Struct({
  throttle: Schema.optional(
    Schema.extend(Trigger, Schema.Struct({ retryAfterSeconds: Schema.optional(Schema.NonNegativeInt) }))
  ),
  latencyMs: Schema.optional(Schema.NonNegativeInt),
  drop: Schema.optional(Trigger),
  html: Schema.optional(
    Schema.extend(Trigger, Schema.Struct({ status: Schema.optional(Schema.Int.pipe(Schema.between(500, 599))) }))
  ),
  truncate: Schema.optional(Trigger),
  /** Answers a chosen error, documented or not, with the service's error body. */
  error: Schema.optional(
    Schema.extend(
      Trigger,
      Schema.Struct({
        type: Schema.NonEmptyString,
        status: Schema.optional(Schema.Int.pipe(Schema.between(400, 599))),
        message: Schema.optional(Schema.String)
      })
    )
  ),
  /** Reseeds the random draws of `rate` triggers. */
  seed: Schema.optional(Schema.Int)
})
export type FaultSettings = typeof FaultSettings.Type

/** The faults that fire for one request. */
export interface FaultPlan {
  readonly latencyMs: number
  readonly drop: boolean
  readonly html: number | undefined
  readonly throttle: { readonly retryAfterSeconds: number | undefined } | undefined
  readonly truncate: boolean
  readonly error:
    | { readonly type: string; readonly status: number | undefined; readonly message: string | undefined }
    | undefined
}

export const noFaults: FaultPlan = {
  latencyMs: 0,
  drop: false,
  html: undefined,
  throttle: undefined,
  truncate: false,
  error: undefined
}

// mulberry32: a tiny, well-known seeded generator; the same seed replays the same draws.
const generator = (seed: number) => {
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Kind = "throttle" | "drop" | "html" | "truncate" | "error"

/** The fault settings in force, with their counters and random draws. */
export class Faults {
  private settings: FaultSettings = {}
  private counts: Record<Kind, number> = { throttle: 0, drop: 0, html: 0, truncate: 0, error: 0 }
  private random: () => number

  constructor(private readonly defaultSeed: number) {
    this.random = generator(defaultSeed)
  }

  get current(): FaultSettings {
    return this.settings
  }

  /** Replaces the settings and restarts their counters. */
  set(settings: FaultSettings): void {
    this.settings = settings
    this.counts = { throttle: 0, drop: 0, html: 0, truncate: 0, error: 0 }
    this.random = generator(settings.seed ?? this.defaultSeed)
  }

  clear(): void {
    this.set({})
  }

  private fires(kind: Kind, trigger: Trigger | undefined): boolean {
    if (trigger === undefined) return false
    const n = ++this.counts[kind]
    if ("every" in trigger) return n % trigger.every === 0
    if ("times" in trigger) return n <= trigger.times
    return this.random() < trigger.rate
  }

  /** Draws the faults for the next API request. */
  next(): FaultPlan {
    const s = this.settings
    if (
      s.throttle === undefined &&
      s.drop === undefined &&
      s.html === undefined &&
      s.truncate === undefined &&
      s.error === undefined
    ) {
      return s.latencyMs === undefined ? noFaults : { ...noFaults, latencyMs: s.latencyMs }
    }
    return {
      latencyMs: s.latencyMs ?? 0,
      drop: this.fires("drop", s.drop),
      html: this.fires("html", s.html) ? (s.html?.status ?? 502) : undefined,
      throttle: this.fires("throttle", s.throttle) ? { retryAfterSeconds: s.throttle?.retryAfterSeconds } : undefined,
      truncate: this.fires("truncate", s.truncate),
      error: this.fires("error", s.error)
        ? { type: s.error!.type, status: s.error!.status, message: s.error!.message }
        : undefined
    }
  }
}
