import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, lines, running, seed, startEmulator } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>

beforeAll(async () => {
  emulator = await startEmulator()
  control = emulatorControl(emulator.url)
})
afterAll(() => emulator.close())
beforeEach(() => control.reset())

const newOperation = (fields: Record<string, unknown>) =>
  control.createOperation({ SubscriptionId: seed.subscriptionId, EndpointId: seed.endpointId, ...fields })

const wait = (operationId: string, ...more: ReadonlyArray<string>) => [
  "operation",
  "wait",
  operationId,
  "--subscription",
  seed.subscriptionId,
  "--endpoint",
  seed.endpointId,
  ...more
]

describe("azcdn operation wait", () => {
  it("polls until Succeeded, exits 0, prints the operation, and reports progress as plain lines on stderr", async () => {
    const { Id } = await newOperation({ DurationMs: 60_000 })
    const run = running(wait(Id, "--interval", "100ms", "-o", "json"), { env: emulator.env })
    await run.waitFor("stderr", /Processing/)
    // The emulator's clock moves the operation on: no race with the CLI's start-up time.
    await control.setClockOffset(61_000)
    const result = await run.exit
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ Id, Status: "Succeeded" })
    // A line per status change, no terminal control characters in a pipe.
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^operation ${Id}: Processing \\(\\d+s elapsed, 1 poll\\)$`)),
      expect.stringMatching(new RegExp(`^operation ${Id}: Succeeded \\(\\d+s elapsed, \\d+ polls\\)$`))
    ])
    expect(result.stderr).not.toContain("\x1b")
    expect((await control.requests()).length).toBeGreaterThanOrEqual(2)
  })

  it("exits 0 at once for an operation that already Succeeded", async () => {
    const result = await azcdn(wait(seed.operationId, "-o", "tsv"), { env: emulator.env })
    expect(result.code).toBe(0)
    expect(result.stdout.split("\t")[2]).toBe("Succeeded")
    expect(await control.requests()).toHaveLength(1)
  })

  it("exits 4 when the operation finishes as Failed, still printing it", async () => {
    const { Id } = await newOperation({ DurationMs: 300, FinalStatus: "Failed", Message: "origin unreachable" })
    const result = await azcdn(wait(Id, "--interval", "100ms"), { env: emulator.env })
    expect(result.code).toBe(4)
    expect(JSON.parse(result.stdout)).toMatchObject({ Id, Status: "Failed", Message: "origin unreachable" })
    expect(lines(result.stderr).at(-1)).toBe(
      `azcdn: OperationFailed: operation ${Id} finished as Failed: origin unreachable`
    )
  })

  it("exits 5 when the timeout passes first, naming the last status", async () => {
    const { Id } = await newOperation({ DurationMs: 600_000 })
    const result = await azcdn(wait(Id, "--interval", "200ms", "--timeout", "1s"), { env: emulator.env })
    expect(result.code).toBe(5)
    expect(result.stdout).toBe("")
    expect(lines(result.stderr).at(-1)).toBe(
      `azcdn: WaitTimedOut: operation ${Id} did not finish within 1s (last status: Processing)`
    )
  })

  it("exits 3 when the endpoint does not exist, without waiting", async () => {
    const result = await azcdn(
      [
        "operation",
        "wait",
        seed.operationId,
        "--subscription",
        seed.subscriptionId,
        "--endpoint",
        "0b8e7a62-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
      ],
      { env: emulator.env }
    )
    expect(result.code).toBe(3)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: EndpointNotFound: /)])
  })

  it("exits 2 for a duration it cannot read, and sends nothing", async () => {
    const result = await azcdn(wait(seed.operationId, "--interval", "soon"), { env: emulator.env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      '--interval: must be a duration such as 500ms, 2s, 10m, 1h30m or 2 seconds, got "soon"'
    )
    expect(await control.requests()).toEqual([])
  })

  it("exits 2 for an operation ID that is not a GUID, and sends nothing", async () => {
    const result = await azcdn(wait("12345"), { env: emulator.env })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^azcdn: InvalidInput: operationId: /)
    expect(await control.requests()).toEqual([])
  })
})
