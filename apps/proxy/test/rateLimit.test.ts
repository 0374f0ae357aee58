import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  allLines,
  busiestSecond,
  call,
  createOperation,
  type Emulator,
  leakedSecrets,
  startEmulator,
  startProxy,
  tokens,
  upstreamTimes
} from "./support.js"

let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator.close()
  expect(leakedSecrets(allLines)).toEqual([])
})

describe("PROXY_UPSTREAM_RATE_LIMIT", () => {
  it("spaces upstream calls: 12 requests at once at 5 calls per second, never more than 6 in any second", async () => {
    const proxy = await startProxy(emulator, { PROXY_UPSTREAM_RATE_LIMIT: "5" })
    const paths = await Promise.all(Array.from({ length: 12 }, () => createOperation(emulator, 0)))
    emulator.emulator.log.clear()
    const replies = await Promise.all(
      paths.map((path) => call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci }))
    )
    expect(replies.map((reply) => reply.status)).toEqual(Array(12).fill(200))
    const times = upstreamTimes(emulator)
    expect(times).toHaveLength(12)
    // No burst at the start: a bucket of a second's calls would send 5 at once, then 5 more within the second.
    expect(busiestSecond(times)).toBeLessThanOrEqual(6)
    // Twelve calls 200 ms apart span 2.2 s (a burst of 5 would span 1.4 s); the first call's new connection may
    // land it late, so one gap of slack.
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(10 * 200)
    expect(await proxy.stop()).toBe(0)
  }, 15_000)
})
