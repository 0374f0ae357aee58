import { Errors } from "@org/cdn-core"
import { Operation } from "@org/cdn-core/Operation"
import { Effect, Schema, TestClock, TestContext } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import * as Progress from "../src/Progress.js"

const id = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
const operation = (Status: string) =>
  Schema.decodeUnknownSync(Operation)({
    Id: id,
    Type: "Purge",
    Status,
    Start: "2017-05-02T06:34:07.869Z",
    EndpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
    SubscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9"
  })

afterEach(() => {
  vi.restoreAllMocks()
})

describe("Progress, plain lines (not a terminal)", () => {
  it("writes a line when the status changes, and a heartbeat every 30 s while it does not", () => {
    const written: Array<string> = []
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk))
      return true
    })
    const polls: Array<[string, number]> = [
      ["NotSet", 0],
      ["Processing", 2_000],
      ["Processing", 4_000],
      ["Processing", 31_000],
      ["Processing", 33_000],
      ["Succeeded", 35_000]
    ]
    Effect.runSync(
      Effect.scoped(
        Effect.gen(function* () {
          const progress = yield* Progress.make(id, false)
          for (const [index, [status, elapsedMs]] of polls.entries()) {
            yield* progress.report({
              operation: operation(status),
              correlationId: undefined,
              polls: index + 1,
              missedPolls: 0,
              elapsedMs
            })
          }
          yield* progress.finish
        })
      )
    )
    expect(written).toEqual([
      `operation ${id}: NotSet (0s elapsed, 1 poll)\n`,
      `operation ${id}: Processing (2s elapsed, 2 polls)\n`,
      `operation ${id}: Processing (33s elapsed, 5 polls)\n`,
      `operation ${id}: Succeeded (35s elapsed, 6 polls)\n`
    ])
  })
})

describe("Progress, a live line (a terminal)", () => {
  it("redraws one line in place as time runs, counts a missed poll, and ends with the final line", async () => {
    const written: Array<string> = []
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk))
      return true
    })
    const timeout = new Errors.RequestTimeout({ message: "timed out", method: "GET", url: "/x", timeoutMs: 1 })
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const progress = yield* Progress.make(id, true)
          yield* progress.report({
            operation: operation("Processing"),
            correlationId: undefined,
            polls: 1,
            missedPolls: 0,
            elapsedMs: 0
          })
          yield* TestClock.adjust("2 seconds")
          yield* progress.missed({ error: timeout, polls: 2, missedPolls: 1, elapsedMs: 2_000, retryInMs: 1_000 })
          yield* TestClock.adjust("1 second")
          yield* progress.report({
            operation: operation("Succeeded"),
            correlationId: undefined,
            polls: 3,
            missedPolls: 1,
            elapsedMs: 3_000
          })
          yield* progress.finish
        })
      ).pipe(Effect.provide(TestContext.TestContext))
    )
    // Every write starts by clearing the line; only the last one ends it.
    expect(written.every((text) => text.startsWith("\r\x1b[2K"))).toBe(true)
    expect(written.slice(0, -1).some((text) => text.endsWith("\n"))).toBe(false)
    // The elapsed time runs between polls, and a missed poll shows at once.
    expect(written).toContain(`\r\x1b[2Koperation ${id}: Processing (1s elapsed, 1 poll)`)
    expect(written).toContain(`\r\x1b[2Koperation ${id}: Processing (2s elapsed, 2 polls, 1 missed)`)
    expect(written.at(-1)).toBe(`\r\x1b[2Koperation ${id}: Succeeded (3s elapsed, 3 polls, 1 missed)\n`)
  })
})
