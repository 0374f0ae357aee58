import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  allLines,
  call,
  createOperation,
  type Emulator,
  leakedSecrets,
  startEmulator,
  startProxy,
  tokens
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
  it("spaces upstream calls: 6 distinct operations at 2 calls per second take over a second", async () => {
    const proxy = await startProxy(emulator, { PROXY_UPSTREAM_RATE_LIMIT: "2" })
    const paths = await Promise.all(Array.from({ length: 6 }, () => createOperation(emulator, 0)))
    const started = Date.now()
    const replies = await Promise.all(
      paths.map((path) => call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci }))
    )
    expect(replies.map((reply) => reply.status)).toEqual(Array(6).fill(200))
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    expect(await proxy.stop()).toBe(0)
  })
})
