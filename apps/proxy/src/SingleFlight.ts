/**
 * One run per key at a time: a caller with the same key as a run in progress waits for that run's result instead of
 * starting another. Reads share an upstream call this way, and so do two identical purges at once.
 *
 * A run is started on a callback and settles with a value or with an effect that ends it; such an effect runs in the
 * scope the single-flight was made in, not in the caller's: a caller that goes away (its client hung up) stops
 * waiting, while the others still get the result, and a write already on its way is carried out and its answer kept.
 * A caller on a fiber joins with `run`; the proxy's handler, which answers most reads with no fiber, with `join`.
 */
import { Effect, Exit, Runtime, type Scope } from "effect"

export interface Flown<A> {
  readonly value: A
  /** True when the value came from a run another caller started. */
  readonly shared: boolean
}

/** How a run that was started ends: with a value at once, or with an effect to run. */
export interface Settle<A> {
  readonly value: (value: A) => void
  readonly effect: (effect: Effect.Effect<A>) => void
}

export interface SingleFlight<A> {
  /**
   * Waits for the run of `key`, or starts it with `start`; `done` gets how it ended, once. An effect the run settles
   * with is forked from `runtime` (the caller's context: its span, its services). Returns a function that stops
   * waiting (the run goes on for the others).
   */
  readonly join: (
    key: string,
    runtime: Runtime.Runtime<never>,
    start: (settle: Settle<A>) => void,
    done: (exit: Exit.Exit<Flown<A>>) => void
  ) => () => void
  /** `join` for a caller on a fiber, whose run is `run`. */
  readonly run: (key: string, run: Effect.Effect<A>) => Effect.Effect<Flown<A>>
}

interface Waiter<A> {
  readonly done: (exit: Exit.Exit<Flown<A>>) => void
  readonly shared: boolean
}

export const make = <A>(): Effect.Effect<SingleFlight<A>, never, Scope.Scope> =>
  Effect.map(Effect.scope, (scope) => {
    const running = new Map<string, Array<Waiter<A>>>()

    const join: SingleFlight<A>["join"] = (key, runtime, start, done) => {
      const waiting = running.get(key)
      const waiter: Waiter<A> = { done, shared: waiting !== undefined }
      const leave = (list: Array<Waiter<A>>) => () => {
        const at = list.indexOf(waiter)
        if (at >= 0) list.splice(at, 1)
      }
      if (waiting !== undefined) {
        waiting.push(waiter)
        return leave(waiting)
      }
      const waiters = [waiter]
      running.set(key, waiters)
      let ended = false
      // However the run ends (interrupted with the scope, even before it began), the key is free again and whoever
      // waits gets its end.
      const end = (exit: Exit.Exit<A>) => {
        if (ended) return
        ended = true
        if (running.get(key) === waiters) running.delete(key)
        for (const each of waiters) each.done(Exit.map(exit, (value) => ({ value, shared: each.shared })))
      }
      start({
        value: (value) => end(Exit.succeed(value)),
        effect: (effect) => Runtime.runFork(runtime)(Effect.interruptible(effect), { scope }).addObserver(end)
      })
      return leave(waiters)
    }

    const run: SingleFlight<A>["run"] = (key, effect) =>
      Effect.flatMap(Effect.runtime<never>(), (runtime) =>
        Effect.async<Flown<A>>((resume) => {
          // Taking the key and starting the run are one step: no caller can leave it taken by a run never started.
          const stop = join(key, runtime, (settle) => settle.effect(effect), resume)
          return Effect.sync(stop)
        })
      )

    return { join, run }
  })
