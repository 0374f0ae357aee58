/**
 * How an emulator is set up: its keys, how strictly it checks signatures, its clock and its fault seed.
 */
import { Duration } from "effect"

/** An API key the emulator accepts, optionally limited to some subscriptions. */
export interface EmulatorKey {
  readonly id: string
  readonly value: string
  /** Subscriptions this key may use; absent means all. Others answer `PermissionDenied`. */
  readonly subscriptions?: ReadonlyArray<string>
}

/** The key an emulator uses when none is given: for demos and tests, never for anything real. */
export const demoKey: EmulatorKey = { id: "emulator-key", value: "emulator-secret" }

/**
 * `strict`: the reading of the C# sample (path lower-cased, query values decoded).
 * `lenient`: also the other published readings (path as sent, query values as sent, lower-case hex).
 */
export type Verification = "strict" | "lenient"

export interface EmulatorOptions {
  /** Default: `[demoKey]`. */
  readonly keys?: ReadonlyArray<EmulatorKey>
  /** How far the request date may be from the emulator's clock; default 15 minutes. */
  readonly dateWindow?: Duration.DurationInput
  /** Default: `strict`. */
  readonly verification?: Verification
  /** Added to the clock, to play a service whose clock is off; default 0. */
  readonly clockOffset?: Duration.DurationInput
  /** Seed of the random draws behind fault rates, so that a failing run can be replayed; default 1. */
  readonly seed?: number
  /** How many requests the log keeps (oldest dropped first); default 10,000. */
  readonly requestLogLimit?: number
  /** How a finished operation spells success: the documentation's `Succeeded` (default) or the description file's `Succeed`. */
  readonly succeededSpelling?: "Succeeded" | "Succeed"
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly keys: ReadonlyArray<EmulatorKey>
  readonly dateWindowMs: number
  readonly verification: Verification
  readonly clockOffsetMs: number
  readonly seed: number
  readonly requestLogLimit: number
  readonly succeededSpelling: "Succeeded" | "Succeed"
}

export const resolve = (options: EmulatorOptions = {}): ResolvedOptions => ({
  keys: options.keys && options.keys.length > 0 ? options.keys : [demoKey],
  dateWindowMs: Duration.toMillis(options.dateWindow ?? Duration.minutes(15)),
  verification: options.verification ?? "strict",
  clockOffsetMs: Duration.toMillis(options.clockOffset ?? Duration.zero),
  seed: options.seed ?? 1,
  requestLogLimit: options.requestLogLimit ?? 10_000,
  succeededSpelling: options.succeededSpelling ?? "Succeeded"
})
