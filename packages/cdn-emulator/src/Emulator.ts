/**
 * One emulator instance: its options, account, faults, request log and clock, as a service.
 */
import { Clock, Context, Effect, Layer } from "effect"
import { type EmulatorOptions, type ResolvedOptions, resolve } from "./EmulatorOptions.js"
import { Faults } from "./Faults.js"
import { RequestLog } from "./RequestLog.js"
import { Store } from "./Store.js"

/** The state behind one emulator. */
export interface EmulatorState {
  readonly options: ResolvedOptions
  readonly store: Store
  readonly faults: Faults
  readonly log: RequestLog
  /** Milliseconds added to the clock; the control API may change it. */
  clockOffsetMs: number
}

/** The emulator's state, as a service. */
export class Emulator extends Context.Tag("@org/cdn-emulator/Emulator")<Emulator, EmulatorState>() {}

/** A fresh emulator holding the seed document's example. */
export const make = (options?: EmulatorOptions): EmulatorState => {
  const resolved = resolve(options)
  return {
    options: resolved,
    store: new Store(),
    faults: new Faults(resolved.seed),
    log: new RequestLog(resolved.requestLogLimit),
    clockOffsetMs: resolved.clockOffsetMs
  }
}

/** A layer with a fresh emulator. */
export const layer = (options?: EmulatorOptions): Layer.Layer<Emulator> => Layer.sync(Emulator, () => make(options))

/** The emulator's time: Effect's `Clock` (so `TestClock` drives it) plus the configured offset. */
export const now = (emulator: EmulatorState): Effect.Effect<number> =>
  Effect.map(Clock.currentTimeMillis, (millis) => millis + emulator.clockOffsetMs)

/** Back to a fresh state: the seed example, no faults, an empty log, the configured clock offset. */
export const reset = (emulator: EmulatorState): void => {
  emulator.store.reset()
  emulator.faults.clear()
  emulator.log.clear()
  emulator.clockOffsetMs = emulator.options.clockOffsetMs
}
