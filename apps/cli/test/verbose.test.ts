import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, getSeed, lines, type RunResult, seed, startEmulator, testKey } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>

beforeAll(async () => {
  emulator = await startEmulator()
  control = emulatorControl(emulator.url)
})
afterAll(() => emulator.close())
beforeEach(() => control.reset())

const path = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}`

// No key value, no Authorization header, no signature (64 hex digits), whatever happened.
const expectNoSecret = (result: RunResult) => {
  const output = result.stdout + result.stderr
  expect(output).not.toContain(testKey.value)
  expect(output).not.toMatch(/authorization/i)
  expect(output).not.toContain("AzureCDN ")
  expect(output).not.toMatch(/[0-9a-f]{64}/i)
}

describe("--verbose", () => {
  it("logs one line per HTTP attempt on stderr: method, path, status, duration, correlation id", async () => {
    const result = await azcdn(getSeed("--verbose", "-o", "tsv"), { env: emulator.env })
    expect(result.code).toBe(0)
    const [request] = await control.requests()
    expect(lines(result.stderr)).toEqual([
      `[debug] GET ${path} -> 200 in ${result.stderr.match(/in (\d+) ms/)?.[1]} ms, correlation id ${request?.correlationId}`
    ])
    expect(result.stdout.split("\t")[0]).toBe(seed.operationId)
    expectNoSecret(result)
  })

  it("logs each retry with its delay, and never a secret", async () => {
    await control.setFaults({ throttle: { times: 1, retryAfterSeconds: 1 } })
    const result = await azcdn(getSeed("--verbose"), { env: emulator.env })
    expect(result.code).toBe(0)
    const requests = await control.requests()
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(`^\\[debug\\] GET ${path} -> 429 in \\d+ ms, correlation id ${requests[0]?.correlationId}$`)
      ),
      "[debug] retrying in 1000 ms after RequestThrottled (attempt 1 failed)",
      expect.stringMatching(
        new RegExp(`^\\[debug\\] GET ${path} -> 200 in \\d+ ms, correlation id ${requests[1]?.correlationId}$`)
      )
    ])
    expectNoSecret(result)
  })

  it("never shows a secret in a failure either", async () => {
    await control.setFaults({ html: { every: 1 } })
    const result = await azcdn(getSeed("--verbose"), { env: { ...emulator.env, AZURE_CDN_MAX_ATTEMPTS: "2" } })
    expect(result.code).toBe(1)
    expect(lines(result.stderr)).toHaveLength(4)
    expectNoSecret(result)
  })

  it("never shows a secret given as a flag, from a wrong signature, or in embedded mode", async () => {
    const flagged = await azcdn(getSeed("--verbose", "--key-id", testKey.id, "--key-value", testKey.value), {
      env: { AZURE_CDN_BASE_URL: emulator.url }
    })
    const wrong = await azcdn(getSeed("--verbose", "--key-value", `${testKey.value}-wrong`), { env: emulator.env })
    const embedded = await azcdn(getSeed("--verbose", "--emulator"), {
      env: { AZURE_CDN_KEY_ID: testKey.id, AZURE_CDN_KEY_VALUE: testKey.value }
    })
    expect([flagged.code, wrong.code, embedded.code]).toEqual([0, 1, 0])
    for (const result of [flagged, wrong, embedded]) expectNoSecret(result)
    expect(wrong.stdout + wrong.stderr).not.toContain(`${testKey.value}-wrong`)
  })

  it("stays quiet without --verbose", async () => {
    const result = await azcdn(getSeed(), { env: emulator.env })
    expect(result).toMatchObject({ code: 0, stderr: "" })
  })
})
