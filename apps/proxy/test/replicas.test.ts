import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { available, type RunningRedis, startRedis } from "./redis.js"
import {
  allLines,
  busiestSecond,
  call,
  createOperation,
  type Emulator,
  leakedSecrets,
  type RunningProxy,
  seed,
  startEmulator,
  startProxy,
  tokens,
  upstreamCalls,
  upstreamTimes
} from "./support.js"

const purger = "replica-purger-token-0123456789abcdef"

describe.runIf(available)("three replicas sharing one Redis", () => {
  let emulator: Emulator
  let redis: RunningRedis
  let replicas: Array<RunningProxy>

  beforeAll(async () => {
    emulator = await startEmulator()
    redis = await startRedis()
    const env = {
      REDIS_URL: redis.url,
      PROXY_TOKENS: JSON.stringify([
        { name: "ci", token: tokens.ci },
        { name: "purger", token: purger, permissions: ["read", "purge"] }
      ]),
      PROXY_CACHE_RUNNING_TTL: "2 seconds",
      PROXY_PURGE_DEDUPE_SECONDS: "60",
      PROXY_UPSTREAM_RATE_LIMIT: "5",
      AZURE_CDN_MAX_ATTEMPTS: "1"
    }
    replicas = await Promise.all([startProxy(emulator, env), startProxy(emulator, env), startProxy(emulator, env)])
  }, 30_000)
  afterAll(async () => {
    for (const replica of replicas ?? []) expect(await replica.stop()).toBe(0)
    await redis?.stop()
    await emulator?.close()
    expect(leakedSecrets(allLines)).toEqual([])
    expect(allLines.some((line) => line.includes(purger))).toBe(false)
  })

  const get = (replica: RunningProxy, path: string) =>
    call(`${replica.url}${path}?apiVersion=1.0`, { token: tokens.ci })

  it("a terminal answer fetched by one replica is answered by the others from Redis: one upstream call in all", async () => {
    const path = await createOperation(emulator, 0)
    for (const replica of replicas) expect((await get(replica, path)).status).toBe(200)
    for (const replica of replicas) expect((await get(replica, path)).status).toBe(200)
    expect(upstreamCalls(emulator, path)).toHaveLength(1)
  })

  it("concurrent polls of a running operation across the replicas make one upstream call", async () => {
    const path = await createOperation(emulator, 60_000)
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => get(replicas[i % 3] as RunningProxy, path)))
    expect(replies.every((reply) => reply.status === 200)).toBe(true)
    expect(upstreamCalls(emulator, path)).toHaveLength(1)
  })

  it("a running answer from another replica is kept only for what is left of its TTL (2 s), not a TTL more", async () => {
    const path = await createOperation(emulator, 60_000)
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    expect((await get(replicas[0] as RunningProxy, path)).status).toBe(200)
    await sleep(1_200)
    // From Redis, 1.2 s old: this replica may keep it for 0.8 s more.
    expect((await get(replicas[1] as RunningProxy, path)).status).toBe(200)
    expect(upstreamCalls(emulator, path)).toHaveLength(1)
    await sleep(1_300)
    // 2.5 s after the first call: older than the TTL everywhere, so asked again.
    expect((await get(replicas[1] as RunningProxy, path)).status).toBe(200)
    expect(upstreamCalls(emulator, path)).toHaveLength(2)
  }, 10_000)

  it("the purge dedupe window is shared: the same purge through another replica gets the first id", async () => {
    const purges = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/purges`
    const body = { Files: ["http://file.example.cn/replicas.png"] }
    const first = await call(`${replicas[0]?.url}${purges}?apiVersion=1.0`, { token: purger, method: "POST", body })
    const again = await call(`${replicas[2]?.url}${purges}?apiVersion=1.0`, { token: purger, method: "POST", body })
    expect(first.status).toBe(202)
    expect(again.json).toEqual(first.json)
    expect(upstreamCalls(emulator, purges)).toHaveLength(1)
  })

  it("one upstream budget for all replicas: PROXY_UPSTREAM_RATE_LIMIT=5 allows at most 6 calls in any second", async () => {
    emulator.emulator.log.clear()
    // Unknown operations: errors are not kept, so each request goes upstream.
    const paths = Array.from(
      { length: 24 },
      (_, i) =>
        `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/00000000-0000-4000-8000-${String(i).padStart(12, "0")}`
    )
    await Promise.all(paths.map((path, i) => get(replicas[i % 3] as RunningProxy, path)))
    const times = upstreamTimes(emulator)
    expect(times).toHaveLength(24)
    expect(busiestSecond(times)).toBeLessThanOrEqual(6)
  }, 20_000)

  it("Redis down: every replica keeps serving, /readyz says so, a metric counts it; Redis back: it reconnects", async () => {
    await redis.stop()
    const path = await createOperation(emulator, 0)
    for (const replica of replicas) expect((await get(replica, path)).status).toBe(200)
    const ready = await call(`${replicas[0]?.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(ready.json).toEqual({ status: "ready", redis: "down" })
    const metrics = await call(`${replicas[0]?.url}/metrics`)
    expect(metrics.text).toMatch(/^cdn_proxy_redis_errors_total [1-9]\d*$/m)
    expect(metrics.text).toMatch(/^cdn_proxy_redis_up 0$/m)

    await redis.start()
    let up = false
    for (let i = 0; i < 60 && !up; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      await get(replicas[0] as RunningProxy, await createOperation(emulator, 0))
      up = ((await call(`${replicas[0]?.url}/readyz`)).json as { redis?: string }).redis === "up"
    }
    expect(up).toBe(true)
  }, 20_000)
})
