import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Ref, TestClock } from "effect"
import * as SingleFlight from "../src/SingleFlight.js"

// A run that counts its starts and ends after a second of the test clock.
const counted = (runs: Ref.Ref<number>, value: string) =>
  Effect.zipRight(
    Ref.update(runs, (n) => n + 1),
    Effect.as(Effect.sleep("1 second"), value)
  )

describe("SingleFlight", () => {
  it.scoped("callers with the same key while a run is in progress share it; another key runs apart", () =>
    Effect.gen(function* () {
      const flights = yield* SingleFlight.make<string>()
      const runs = yield* Ref.make(0)
      const fibers = yield* Effect.forEach(["a", "a", "a", "b"], (key) =>
        Effect.fork(flights.run(key, counted(runs, key)))
      )
      yield* TestClock.adjust("1 second")
      const results = yield* Effect.forEach(fibers, Fiber.join)
      expect(yield* Ref.get(runs)).toBe(2)
      expect(results.map((r) => r.value)).toEqual(["a", "a", "a", "b"])
      expect(results.map((r) => r.shared)).toEqual([false, true, true, false])
    })
  )

  it.scoped("once a run ended, the next caller starts a new one", () =>
    Effect.gen(function* () {
      const flights = yield* SingleFlight.make<string>()
      const runs = yield* Ref.make(0)
      for (let i = 0; i < 2; i++) {
        const fiber = yield* Effect.fork(flights.run("a", counted(runs, "a")))
        yield* TestClock.adjust("1 second")
        expect((yield* Fiber.join(fiber)).shared).toBe(false)
      }
      expect(yield* Ref.get(runs)).toBe(2)
    })
  )

  it.scoped("the caller that started a run goes away: the run goes on and the others get its value", () =>
    Effect.gen(function* () {
      const flights = yield* SingleFlight.make<string>()
      const runs = yield* Ref.make(0)
      const finished = yield* Deferred.make<void>()
      const run = Effect.zipLeft(counted(runs, "answer"), Deferred.succeed(finished, undefined))
      const first = yield* Effect.fork(flights.run("a", run))
      const second = yield* Effect.fork(flights.run("a", run))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(second)).toEqual({ value: "answer", shared: true })
      expect(yield* Deferred.isDone(finished)).toBe(true)
      expect(yield* Ref.get(runs)).toBe(1)
    })
  )

  it.effect("a run cut short by the end of its scope leaves no caller waiting", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const { caller } = yield* Effect.scoped(
        Effect.gen(function* () {
          const flights = yield* SingleFlight.make<string>()
          const caller = yield* Effect.fork(flights.run("a", counted(runs, "never")))
          yield* Effect.yieldNow()
          return { caller }
        })
      )
      const exit = yield* Fiber.await(caller)
      expect(Exit.isInterrupted(exit)).toBe(true)
    })
  )

  it.scoped(
    "joined on a callback: a run settled at once gives every waiter its value; one that left gets nothing",
    () =>
      Effect.gen(function* () {
        const flights = yield* SingleFlight.make<string>()
        const runtime = yield* Effect.runtime<never>()
        let starts = 0
        const settles: Array<SingleFlight.Settle<string>> = []
        const start = (settle: SingleFlight.Settle<string>) => {
          starts++
          settles.push(settle)
        }
        const got: Array<string> = []
        const record = (name: string) => (exit: Exit.Exit<SingleFlight.Flown<string>>) =>
          got.push(Exit.isSuccess(exit) ? `${name}:${exit.value.value}:${exit.value.shared}` : `${name}:failed`)
        flights.join("a", runtime, start, record("first"))
        flights.join("a", runtime, start, record("second"))
        const leave = flights.join("a", runtime, start, record("third"))
        leave()
        expect(starts).toBe(1)
        settles[0]?.value("answer")
        expect(got).toEqual(["first:answer:false", "second:answer:true"])
        // The key is free again: the next caller starts a new run.
        flights.join("a", runtime, start, record("fourth"))
        expect(starts).toBe(2)
      })
  )

  it.scoped("joined on a callback: a run settled with an effect runs it on a fiber and gives its value", () =>
    Effect.gen(function* () {
      const flights = yield* SingleFlight.make<string>()
      const runtime = yield* Effect.runtime<never>()
      const runs = yield* Ref.make(0)
      const got = yield* Deferred.make<SingleFlight.Flown<string>>()
      flights.join(
        "a",
        runtime,
        (settle) => settle.effect(counted(runs, "later")),
        (exit) => Deferred.unsafeDone(got, exit)
      )
      yield* Effect.yieldNow()
      yield* TestClock.adjust("1 second")
      expect(yield* Deferred.await(got)).toEqual({ value: "later", shared: false })
      expect(yield* Ref.get(runs)).toBe(1)
    })
  )
})
