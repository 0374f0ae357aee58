/**
 * The Redis lock has an owner: a replica paused (SIGSTOP) past the lock's expiry, then resumed, must not free the
 * lock another replica took in the meantime; only the holder's token deletes it (compare-and-delete).
 */
import { spawnSync } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { available, type RunningRedis, startRedis } from "./redis.js"
import {
  call,
  createOperation,
  type Emulator,
  type RunningProxy,
  startEmulator,
  startProxy,
  tokens,
  upstreamCalls
} from "./support.js"

// What Redis holds under the proxy's lock prefix.
const locks = (redis: RunningRedis): Array<string> => {
  const keys = spawnSync("redis-cli", ["-p", String(redis.port), "--raw", "keys", "cdn-proxy:lock:*"], {
    encoding: "utf8"
  }).stdout
  return keys.split("\n").filter((line) => line !== "")
}

const until = async (check: () => boolean, ms: number) => {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe.runIf(available)("the Redis lock of a miss", () => {
  let emulator: Emulator
  let redis: RunningRedis
  let paused: RunningProxy
  let other: RunningProxy

  beforeAll(async () => {
    emulator = await startEmulator()
    redis = await startRedis()
    const env = { REDIS_URL: redis.url, AZURE_CDN_MAX_ATTEMPTS: "1", AZURE_CDN_TIMEOUT: "20s" }
    ;[paused, other] = await Promise.all([startProxy(emulator, env), startProxy(emulator, env)])
  }, 30_000)
  afterAll(async () => {
    paused?.child.kill("SIGCONT")
    await paused?.stop()
    await other?.stop()
    await redis?.stop()
    await emulator?.close()
  })

  it("a replica paused past the expiry does not free the lock another took: only its holder does", async () => {
    const path = await createOperation(emulator, 60_000)
    // Every upstream call takes 2.5 s: the lock (3 s) outlives none of them by much.
    await emulator.emulator.faults.set({ latencyMs: 2_500 })
    const get = (replica: RunningProxy) => call(`${replica.url}${path}?apiVersion=1.0`, { token: tokens.ci })

    const first = get(paused)
    await until(() => locks(redis).length === 1, 2_000)
    const [lock] = locks(redis)
    // Paused with the lock: it expires (3 s) while the replica cannot act.
    paused.child.kill("SIGSTOP")
    await until(() => locks(redis).length === 0, 5_000)

    // The other replica misses too, takes the lock and asks upstream (2.5 s).
    const second = get(other)
    await until(() => locks(redis).length === 1, 2_000)
    // Resumed: the paused replica gets its answer and lets go of its lock, which is no longer its own.
    paused.child.kill("SIGCONT")
    expect((await first).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 100))
    // The other replica's lock is still there: a third miss now waits for its call instead of starting one.
    expect(locks(redis)).toEqual([lock])
    expect((await second).status).toBe(200)
    // And its holder freed it.
    expect(locks(redis)).toEqual([])
    expect(upstreamCalls(emulator, path)).toHaveLength(2)
    await emulator.emulator.faults.set({})
  }, 30_000)
})
