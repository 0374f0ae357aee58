import { describe, expect, it } from "@effect/vitest"
import { CdnClient } from "@org/cdn-core"
import { Effect } from "effect"
import { type FaultPlan, type FaultSettings, Faults, noFaults } from "../src/Faults.js"
import { control, requestLog, seedRefUpper, setFaults, settle, withEmulator } from "./support.js"

const draw = (faults: Faults, n: number): Array<FaultPlan> => Array.from({ length: n }, () => faults.next())
const fresh = (settings: FaultSettings, seed = 1) => {
  const faults = new Faults(seed)
  faults.set(settings)
  return faults
}

describe("Faults: triggers", () => {
  it("no settings: no faults", () => {
    expect(draw(new Faults(1), 3)).toEqual([noFaults, noFaults, noFaults])
  })

  it("every N: the Nth, 2Nth… request", () => {
    const plans = draw(fresh({ throttle: { every: 3, retryAfterSeconds: 2 } }), 7)
    expect(plans.map((plan) => plan.throttle !== undefined)).toEqual([false, false, true, false, false, true, false])
    expect(plans[2]?.throttle).toEqual({ retryAfterSeconds: 2 })
  })

  it("times N: the next N requests, then none", () => {
    expect(draw(fresh({ drop: { times: 2 } }), 4).map((plan) => plan.drop)).toEqual([true, true, false, false])
    expect(draw(fresh({ drop: { times: 0 } }), 2).map((plan) => plan.drop)).toEqual([false, false])
  })

  it("rate 0 never fires, rate 1 always does", () => {
    expect(draw(fresh({ truncate: { rate: 0 } }), 20).some((plan) => plan.truncate)).toBe(false)
    expect(draw(fresh({ truncate: { rate: 1 } }), 20).every((plan) => plan.truncate)).toBe(true)
  })

  it("a seeded rate is reproducible: same seed, same sequence; another seed, another one", () => {
    const sequence = (settings: FaultSettings, defaultSeed = 1) =>
      draw(fresh(settings, defaultSeed), 40).map((plan) => (plan.drop ? 1 : 0))
    const a = sequence({ drop: { rate: 0.5 }, seed: 42 })
    expect(sequence({ drop: { rate: 0.5 }, seed: 42 })).toEqual(a)
    expect(sequence({ drop: { rate: 0.5 }, seed: 43 })).not.toEqual(a)
    // About half fire.
    const fired = a.filter((x) => x === 1).length
    expect(fired).toBeGreaterThan(10)
    expect(fired).toBeLessThan(30)
    // Without a seed in the settings, the emulator's own seed decides.
    expect(sequence({ drop: { rate: 0.5 } }, 42)).toEqual(a)
  })

  it("set() restarts the counters and the random draws", () => {
    const faults = fresh({ html: { every: 2 }, drop: { rate: 0.5 }, seed: 9 })
    const first = draw(faults, 5)
    faults.set({ html: { every: 2 }, drop: { rate: 0.5 }, seed: 9 })
    expect(draw(faults, 5)).toEqual(first)
  })

  it("clear() ends every fault", () => {
    const faults = fresh({ drop: { every: 1 }, latencyMs: 100 })
    faults.clear()
    expect(faults.current).toEqual({})
    expect(faults.next()).toEqual(noFaults)
  })

  it("latency alone applies to every request", () => {
    expect(draw(fresh({ latencyMs: 250 }), 2)).toEqual([
      { ...noFaults, latencyMs: 250 },
      { ...noFaults, latencyMs: 250 }
    ])
  })

  it("HTML is a 502 unless told another 5xx; the error fault carries its type, status and message", () => {
    expect(fresh({ html: { every: 1 } }).next().html).toBe(502)
    expect(fresh({ html: { every: 1, status: 503 } }).next().html).toBe(503)
    expect(fresh({ error: { every: 1, type: "InvalidApiKey" } }).next().error).toEqual({
      type: "InvalidApiKey",
      status: undefined,
      message: undefined
    })
  })

  it("each kind counts its own requests", () => {
    const plans = draw(fresh({ throttle: { every: 2 }, drop: { every: 3 } }), 6)
    expect(plans.map((plan) => [plan.throttle !== undefined, plan.drop])).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [true, false],
      [false, false],
      [true, true]
    ])
  })
})

// One attempt per call, so that each logged request is one call's outcome.
const noRetry = { config: { retry: { maxAttempts: 1 } } } as const
const outcomesOf = (calls: number) =>
  Effect.gen(function* () {
    const client = yield* CdnClient.CdnClient
    for (let i = 0; i < calls; i++) yield* settle(client.getOperation(seedRefUpper), "1 second")
    return (yield* requestLog).map((entry) => entry.outcome)
  })

describe("Faults through the emulator's API", () => {
  it.effect("every 3rd request throttled, with its Retry-After", () =>
    withEmulator(noRetry)(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { every: 3, retryAfterSeconds: 2 } })
        expect(yield* outcomesOf(6)).toEqual(["ok", "ok", "RequestThrottled", "ok", "ok", "RequestThrottled"])
      })
    )
  )

  it.effect("the next 2 requests dropped, then answered", () =>
    withEmulator(noRetry)(
      Effect.gen(function* () {
        yield* setFaults({ drop: { times: 2 } })
        expect(yield* outcomesOf(4)).toEqual(["drop", "drop", "ok", "ok"])
      })
    )
  )

  it.effect("a seeded rate replays: the same settings give the same outcomes after a reset", () =>
    withEmulator(noRetry)(
      Effect.gen(function* () {
        const settings = { html: { rate: 0.5 }, seed: 2024 }
        yield* setFaults(settings)
        const first = yield* outcomesOf(16)
        expect(new Set(first)).toEqual(new Set(["ok", "html"]))

        yield* control("DELETE", "/_emulator/requests")
        yield* setFaults(settings)
        expect(yield* outcomesOf(16)).toEqual(first)

        yield* control("DELETE", "/_emulator/requests")
        yield* setFaults({ ...settings, seed: 2025 })
        expect(yield* outcomesOf(16)).not.toEqual(first)
      })
    )
  )

  it.effect("the emulator option `seed` decides the draws when the settings name none", () =>
    Effect.gen(function* () {
      const run = (seed: number) =>
        withEmulator({ ...noRetry, emulator: { seed } })(
          Effect.zipRight(setFaults({ throttle: { rate: 0.5 } }), outcomesOf(16))
        )
      const a = yield* run(5)
      expect(yield* run(5)).toEqual(a)
      expect(yield* run(6)).not.toEqual(a)
    })
  )

  it.effect("a fault on a signed-wrong request still fires: faults come before verification", () =>
    withEmulator({ ...noRetry, config: { ...noRetry.config, keyValue: "wrong" } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { every: 2 } })
        expect(yield* outcomesOf(2)).toEqual(["WrongSignature", "RequestThrottled"])
        expect((yield* requestLog).map((entry) => entry.signatureValid)).toEqual([false, false])
      })
    )
  )
})
