// The proxy as many replicas: three processes of the built bundle sharing one redis-server (Debian's, on a free
// 127.0.0.1 port), in front of one emulator. What a fleet must not do: call upstream once per replica (the herd,
// N-fold), or spend N budgets (the service's throttle). Also one replica's cached path with and without Redis,
// beside bare node:http.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"
import { measure } from "./load.mjs"
import { fmt, median, table } from "./measure.mjs"
import { children, freePort, start } from "./servers.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const proxyBundle = here("../apps/proxy/dist/proxy.mjs")
const emulatorBin = here("../packages/cdn-emulator/dist/bin.js")
if (spawnSync("redis-server", ["--version"]).status !== 0) {
  console.log("\n## Replicas: skipped (redis-server is not installed: apt-get install -y redis-server)")
  process.exit(0)
}

const key = { AZURE_CDN_KEY_ID: "bench-key", AZURE_CDN_KEY_VALUE: "bench-key-value-not-a-secret" }
const token = "bench-token-0123456789abcdef"
const auth = { authorization: `Bearer ${token}` }
const seed = { s: "5dd0413d-a2f9-442a-b836-128d87753fa9", e: "46fecf3c-e874-49aa-891d-0d4dc93213e0" }

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const redisPort = await freePort()
children.push(
  spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore"
  })
)
await sleep(300)
const emulatorPort = await freePort()
const emulator = await start("emulator", [emulatorBin, "--port", String(emulatorPort)], key, emulatorPort)
const control = (method, path, body) =>
  fetch(`${emulator.url}/_emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  }).then((r) => r.text().then((t) => (t === "" ? undefined : JSON.parse(t))))
const operation = (durationMs) =>
  control("POST", "/operations", { SubscriptionId: seed.s, EndpointId: seed.e, DurationMs: durationMs }).then(
    (op) => `/subscriptions/${seed.s}/endpoints/${seed.e}/operations/${op.Id}`
  )
const upstream = async (path) => {
  const log = await control("GET", "/requests")
  return log.filter((entry) => path === undefined || entry.path === path)
}

const proxyEnv = (extra) => ({
  ...key,
  AZURE_CDN_BASE_URL: emulator.url,
  PROXY_TOKENS: JSON.stringify([{ name: "bench", token }]),
  HOST: "127.0.0.1",
  ...extra
})
const replicas = []
for (let i = 0; i < 3; i++) {
  const port = await freePort()
  replicas.push(
    await start(
      `replica ${i + 1}`,
      [proxyBundle],
      proxyEnv({ PORT: String(port), REDIS_URL: `redis://127.0.0.1:${redisPort}`, PROXY_UPSTREAM_RATE_LIMIT: "20" }),
      port
    )
  )
}

const goals = []

// 1. 50 pollers of one running operation, spread over the three replicas.
{
  const path = await operation(3_600_000)
  await control("DELETE", "/requests")
  const runs = await Promise.all(
    replicas.map((replica, i) =>
      autocannon({
        url: `${replica.url}${path}?apiVersion=1.0`,
        headers: auth,
        connections: i === 0 ? 18 : 16,
        duration: 5
      })
    )
  )
  const requests = runs.reduce((sum, run) => sum + run.requests.total, 0)
  const calls = (await upstream(path)).length
  const ratio = calls / requests
  console.log("\n## Three replicas + Redis: the herd")
  table([
    {
      what: "50 pollers of one running operation, 5 s",
      requests,
      "upstream calls": calls,
      "calls per poll": fmt(ratio, 5)
    }
  ])
  goals.push([`three replicas: upstream calls per client poll <= 0.02`, ratio <= 0.02, fmt(ratio, 5)])

  const terminal = await operation(0)
  await control("DELETE", "/requests")
  for (let round = 0; round < 5; round++) {
    for (const replica of replicas) await fetch(`${replica.url}${terminal}?apiVersion=1.0`, { headers: auth })
  }
  const terminalCalls = (await upstream(terminal)).length
  goals.push([
    `three replicas: a terminal operation polled 15 times makes one upstream call in all`,
    terminalCalls === 1,
    `${terminalCalls}`
  ])
}

// 2. One upstream budget: three replicas hammered with requests that each need the service (unknown operations).
{
  await control("DELETE", "/requests")
  let n = 0
  const runs = await Promise.all(
    replicas.map((replica) =>
      autocannon({
        url: replica.url,
        connections: 16,
        duration: 5,
        timeout: 30,
        requests: [
          {
            method: "GET",
            headers: auth,
            setupRequest: (request) => ({
              ...request,
              path: `/subscriptions/${seed.s}/endpoints/${seed.e}/operations/00000000-0000-4000-8000-${String(n++).padStart(12, "0")}?apiVersion=1.0`
            })
          }
        ]
      })
    )
  )
  const log = await upstream()
  const times = log.map((entry) => Date.parse(entry.at)).sort((a, b) => a - b)
  let busiest = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j] < times[i] - 999) j++
    busiest = Math.max(busiest, i - j + 1)
  }
  const throttled = log.filter((entry) => entry.status === 429).length
  // A Redis operation that failed or timed out spends from the replica's own limiter: say how often it happened.
  const redisErrors = (
    await Promise.all(
      replicas.map(async (replica) => {
        const text = await (await fetch(`${replica.url}/metrics`)).text()
        return Number(/^cdn_proxy_redis_errors_total (\d+)$/m.exec(text)?.[1] ?? 0)
      })
    )
  ).reduce((sum, n) => sum + n, 0)
  console.log("\n## Three replicas + Redis: PROXY_UPSTREAM_RATE_LIMIT=20 for all")
  table([
    {
      what: "3 x 16 connections, 5 s, every request a miss",
      "client requests": runs.reduce((sum, run) => sum + run.requests.total, 0),
      "upstream calls": log.length,
      "busiest second": busiest,
      "throttled upstream": throttled,
      "redis errors": redisErrors
    }
  ])
  goals.push([`global limit 20/s: at most 21 upstream calls in any one-second window`, busiest <= 21, `${busiest}`])
  goals.push([`global limit: no upstream call refused as throttled`, throttled === 0, `${throttled}`])
}

// 3. One replica's cached path with and without Redis, beside bare node:http answering the same bytes, in interleaved
//    rounds at one fixed rate (CPU per request of the server process): a final answer, kept in the replica itself,
//    and a running operation, whose copy a replica keeps PROXY_CACHE_RUNNING_TTL and then asks Redis (or upstream) for.
{
  const terminal = `/subscriptions/${seed.s}/endpoints/${seed.e}/operations/a97459bf-e4c4-4d4f-94e4-b775f0f09f31?apiVersion=1.0`
  const running = `${await operation(3_600_000)}?apiVersion=1.0`
  const alonePort = await freePort()
  const alone = await start("alone", [proxyBundle], proxyEnv({ PORT: String(alonePort) }), alonePort)
  const work = mkdtempSync(join(tmpdir(), "cdn-replicas-bench-"))
  const bodyFile = join(work, "body.json")
  writeFileSync(bodyFile, await (await fetch(`${alone.url}${terminal}`, { headers: auth })).text())
  const barePort = await freePort()
  const bare = await start("bare", [here("baseline-cached.mjs"), String(barePort), bodyFile], {}, barePort)
  rmSync(work, { recursive: true, force: true })
  const contenders = [
    ["bare node:http, the same bytes", bare, terminal],
    ["final answer: one replica, no Redis", alone, terminal],
    ["final answer: one replica of three, with Redis", replicas[0], terminal],
    ["running operation: one replica, no Redis", alone, running],
    ["running operation: one replica of three, with Redis", replicas[0], running]
  ]
  const rate = 4_000
  const run = ([, target, path], options) =>
    measure({ pid: target.pid, url: `${target.url}${path}`, headers: auth, ...options })
  for (const contender of contenders) await run(contender, { duration: 1 })
  const cpu = contenders.map(() => [])
  for (let round = 0; round < 5; round++) {
    for (const [i, contender] of contenders.entries()) {
      const result = await run(contender, { amount: rate * 3, rate })
      if (result.notOk > 0) throw new Error(`${contender[0]}: ${result.notOk} requests failed`)
      cpu[i].push(result.cpuMicrosPerRequest)
    }
  }
  console.log(`\n## The cached path with and without Redis (5 interleaved rounds at ${fmt(rate)} req/s, median)`)
  table(
    contenders.map(([what], i) => ({
      what,
      [`CPU µs/req @${fmt(rate)}/s`]: fmt(median(cpu[i]), 1),
      "x bare": fmt(median(cpu[i].map((value, round) => value / cpu[0][round])), 2)
    }))
  )
}

console.log("")
for (const [what, met, value] of goals) console.log(`goal: ${what} -> ${met ? "met" : "NOT met"} (${value})`)
process.exit(0)
