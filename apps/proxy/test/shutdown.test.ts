import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  allLines,
  call,
  createOperation,
  type Emulator,
  leakedSecrets,
  startEmulator,
  startProxy,
  tokens,
  upstreamCalls
} from "./support.js"

let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator.close()
  expect(leakedSecrets(allLines)).toEqual([])
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("SIGTERM", () => {
  it("stops accepting, lets the requests in flight finish, then exits 0", async () => {
    const proxy = await startProxy(emulator)
    const paths = await Promise.all(Array.from({ length: 5 }, () => createOperation(emulator, 0)))
    emulator.emulator.faults.set({ latencyMs: 1_000 })
    const inFlight = paths.map((path) => call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci }))
    await sleep(300)
    proxy.child.kill("SIGTERM")
    await sleep(100)
    // New connections are refused while the old ones finish.
    await expect(fetch(`${proxy.url}/readyz`)).rejects.toThrow()
    const replies = await Promise.all(inFlight)
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200])
    expect(await proxy.exited).toBe(0)
    emulator.emulator.faults.clear()
    for (const path of paths) expect(upstreamCalls(emulator, path)).toHaveLength(1)
    const messages = proxy.lines.map((line) => JSON.parse(line).msg)
    expect(messages.indexOf("draining")).toBeGreaterThan(0)
    expect(messages.at(-1)).toBe("stopped")
    // Each of the five answers was logged before the proxy stopped.
    expect(messages.filter((msg) => msg === "request").length).toBeGreaterThanOrEqual(6)
  })

  it("a request that outlasts PROXY_DRAIN_TIMEOUT is cut, and the proxy still exits 0", async () => {
    const proxy = await startProxy(emulator, { PROXY_DRAIN_TIMEOUT: "500 millis", AZURE_CDN_TIMEOUT: "20 seconds" })
    const path = await createOperation(emulator, 0)
    emulator.emulator.faults.set({ latencyMs: 10_000 })
    const slow = call(`${proxy.url}${path}?apiVersion=1.0`, { token: tokens.ci }).then(
      (reply) => reply.status,
      () => "cut"
    )
    await sleep(300)
    const stoppedAt = Date.now()
    proxy.child.kill("SIGTERM")
    expect(await proxy.exited).toBe(0)
    expect(Date.now() - stoppedAt).toBeLessThan(5_000)
    expect(await slow).toBe("cut")
    emulator.emulator.faults.clear()
    expect(proxy.lines.some((line) => line.includes("drain timeout"))).toBe(true)
  })

  it("SIGINT drains the same way", async () => {
    const proxy = await startProxy(emulator)
    expect((await call(`${proxy.url}/healthz`)).status).toBe(200)
    proxy.child.kill("SIGINT")
    expect(await proxy.exited).toBe(0)
  })
})
