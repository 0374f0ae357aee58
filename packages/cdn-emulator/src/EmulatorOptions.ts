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
  /** A read-only key: every POST, PUT and DELETE answers `PermissionDenied`. */
  readonly readOnly?: boolean
}

/** Per subscription per day, as the service documents them. */
export interface Quotas {
  readonly purgeFiles: number
  readonly purgeDirectories: number
  readonly preloadFiles: number
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
  /** How long a purge, preload or endpoint change reads as Processing; default 3 seconds. */
  readonly taskDuration?: Duration.DurationInput
  /** How long a created endpoint stays Creating (ICP review); default 10 seconds. */
  readonly endpointCreateDuration?: Duration.DurationInput
  /** Daily quotas; default the documented 2,000 purged files, 500 directories, 2,000 preloaded files. */
  readonly quotas?: Partial<Quotas>
  /**
   * How endpoints are answered: `live` (default), as the service answers (`EndpointId`, `Settings`), or `documented`,
   * as the documents write them (`EndpointID`, `Setting`, `"Enabled": "true"`).
   */
  readonly endpointShape?: "live" | "documented"
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
  readonly taskDurationMs: number
  readonly endpointCreateDurationMs: number
  readonly quotas: Quotas
  readonly endpointShape: "live" | "documented"
}

export const resolve = (options: EmulatorOptions = {}): ResolvedOptions => ({
  keys: options.keys && options.keys.length > 0 ? options.keys : [demoKey],
  dateWindowMs: Duration.toMillis(options.dateWindow ?? Duration.minutes(15)),
  verification: options.verification ?? "strict",
  clockOffsetMs: Duration.toMillis(options.clockOffset ?? Duration.zero),
  seed: options.seed ?? 1,
  requestLogLimit: options.requestLogLimit ?? 10_000,
  succeededSpelling: options.succeededSpelling ?? "Succeeded",
  taskDurationMs: Duration.toMillis(options.taskDuration ?? Duration.seconds(3)),
  endpointCreateDurationMs: Duration.toMillis(options.endpointCreateDuration ?? Duration.seconds(10)),
  quotas: { purgeFiles: 2000, purgeDirectories: 500, preloadFiles: 2000, ...options.quotas },
  endpointShape: options.endpointShape ?? "live"
})
