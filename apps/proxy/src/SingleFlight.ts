/**
 * One run of an effect per key at a time: a caller with the same key as a run in progress waits for that run's result
 * instead of starting another. Reads share an upstream call this way, and so do two identical purges at once.
 *
 * The run belongs to the scope the single-flight was made in, not to the caller that started it: a caller that goes
 * away (its client hung up) stops waiting, while the others still get the result, and a write already on its way is
 * carried out and its answer kept.
 */
import { Deferred, Effect, type Scope } from "effect"

export interface Flown<A> {
  readonly value: A
  /** True when the value came from a run another caller started. */
  readonly shared: boolean
}

export type SingleFlight<A> = (key: string, run: Effect.Effect<A>) => Effect.Effect<Flown<A>>

export const make = <A>(): Effect.Effect<SingleFlight<A>, never, Scope.Scope> =>
  Effect.map(Effect.scope, (scope) => {
    const running = new Map<string, Deferred.Deferred<A>>()
    return (key, run) =>
      Effect.suspend((): Effect.Effect<Flown<A>> => {
        const pending = running.get(key)
        if (pending !== undefined) return Effect.map(Deferred.await(pending), (value) => ({ value, shared: true }))
        // Taking the key and starting the run are one step: a caller interrupted in between would leave the key
        // taken by a run that never starts.
        const started = Effect.uninterruptible(
          Effect.flatMap(Deferred.make<A>(), (deferred) => {
            running.set(key, deferred)
            return Effect.map(Effect.forkIn(Effect.interruptible(run), scope), (fiber) => {
              // However the run ends (interrupted with the scope, even before it began), the key is free again and
              // whoever waits gets its end.
              fiber.addObserver((exit) => {
                if (running.get(key) === deferred) running.delete(key)
                Deferred.unsafeDone(deferred, exit)
              })
              return deferred
            })
          })
        )
        return Effect.flatMap(started, (deferred) =>
          Effect.map(Deferred.await(deferred), (value) => ({ value, shared: false }))
        )
      })
  })
