// The proxy under load on loopback, against the emulator, beside two bare baselines in the same run:
// - answered from the cache: the proxy vs baseline-cached.mjs (node:http answering the same bytes);
// - forwarded (PROXY_CACHE=off): the proxy vs baseline-forwarder.mjs (node:http in, same HMAC, keep-alive out);
// - the herd: N pollers of one running operation, and a terminal operation polled again and again, counted in the
//   emulator's request log.
// CPU per request is read from /proc/<pid>/stat of the server process (not wall time); rounds are interleaved so that
// a change in machine load hits every contender alike, and the median round is reported.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { measure } from "./load.mjs"
import { fmt, median, table } from "./measure.mjs"
import { peakRssMiB } from "./process-stats.mjs"
import { freePort, start } from "./servers.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const proxyBundle = here("../apps/proxy/dist/proxy.mjs")
const emulatorBin = here("../packages/cdn-emulator/dist/bin.js")
const work = mkdtempSync(join(tmpdir(), "cdn-proxy-bench-"))

const key = { AZURE_CDN_KEY_ID: "bench-key", AZURE_CDN_KEY_VALUE: "bench-key-value-not-a-secret" }
const token = "bench-token-0123456789abcdef"
const auth = { authorization: `Bearer ${token}` }
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
// Seconds of each full-speed run; the fixed-rate rounds run about 3 seconds each.
const fullSeconds = 3
const cachedRate = Number(process.env.BENCH_CACHED_RATE ?? 4_000)
const forwardedRate = Number(process.env.BENCH_FORWARDED_RATE ?? 800)
// `node proxy.mjs cached` runs one part alone (cached, forwarded, herd, soak), for work on one path.
const only = process.argv.slice(2)
const runs = (part) => only.length === 0 || only.includes(part)

process.on("exit", () => {
  // The proxy's log of a run holds hundreds of thousands of lines: it goes with the run.
  rmSync(work, { recursive: true, force: true })
})

const control = async (base, method, path, body) => {
  const response = await fetch(`${base}/_emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return text === "" ? undefined : JSON.parse(text)
}

const emulatorPort = await freePort()
const emulator = await start("emulator", [emulatorBin, "--port", String(emulatorPort)], key, emulatorPort)
const seed = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
}
const pathOf = (op) =>
  `/subscriptions/${op.SubscriptionId}/endpoints/${op.EndpointId}/operations/${op.Id}?apiVersion=1.0`
const terminalPath = pathOf({ SubscriptionId: seed.subscriptionId, EndpointId: seed.endpointId, Id: seed.operationId })
const running = await control(emulator.url, "POST", "/operations", {
  SubscriptionId: seed.subscriptionId,
  EndpointId: seed.endpointId,
  DurationMs: 3_600_000
})
const polled = await control(emulator.url, "POST", "/operations", {
  SubscriptionId: seed.subscriptionId,
  EndpointId: seed.endpointId,
  DurationMs: 0
})

// The proxy runs as its command runs (`cdn-proxy`, the image): with the node flags of the bundle's first line.
// BENCH_PROXY_FLAGS adds more to the two main proxies, BENCH_SOAK_NODE_FLAGS to the soak's, to try a setting.
const bundleFlags = readFileSync(proxyBundle, "utf8")
  .slice(0, 200)
  .split("\n", 1)[0]
  .split(" ")
  .filter((word) => word.startsWith("--"))
const proxyArgs = (extra = "") => [...bundleFlags, ...extra.split(" ").filter(Boolean), proxyBundle]
const proxyEnv = (extra) => ({
  ...key,
  AZURE_CDN_BASE_URL: emulator.url,
  HOST: "127.0.0.1",
  PROXY_TOKENS: JSON.stringify([{ name: "bench", token }]),
  ...extra
})
const proxyLog = join(work, "proxy.log")
const ports = {
  proxy: await freePort(),
  proxyOff: await freePort(),
  forwarder: await freePort(),
  cached: await freePort()
}
const proxy = await start(
  "proxy (cache on)",
  proxyArgs(process.env.BENCH_PROXY_FLAGS),
  proxyEnv({ PORT: String(ports.proxy) }),
  ports.proxy,
  proxyLog
)
const proxyOff = await start(
  "proxy (PROXY_CACHE=off)",
  proxyArgs(process.env.BENCH_PROXY_FLAGS),
  proxyEnv({ PORT: String(ports.proxyOff), PROXY_CACHE: "off" }),
  ports.proxyOff,
  proxyLog
)
const forwarder = await start(
  "baseline-forwarder",
  [here("baseline-forwarder.mjs"), String(ports.forwarder), emulator.url],
  key,
  ports.forwarder
)

// The cached bytes: exactly what the proxy answers for the terminal operation.
const cachedBody = await (await fetch(`${proxy.url}${terminalPath}`, { headers: auth })).text()
const bodyFile = join(work, "body.json")
writeFileSync(bodyFile, cachedBody)
const cached = await start(
  "baseline-cached",
  [here("baseline-cached.mjs"), String(ports.cached), bodyFile],
  {},
  ports.cached
)

/**
 * Each contender at full speed once (requests/s, p50/p99), then interleaved rounds at one fixed rate for CPU per
 * request: at the same load both sides do the same number of event-loop turns, so the ratio is the cost of the code.
 * The first fixed-rate round warms up and is dropped.
 */
const compare = async (contenders, { rate, rateAmount }) => {
  const run = (c, options) =>
    measure({ pid: c.server.pid, url: `${c.server.url}${c.path ?? terminalPath}`, headers: c.headers, ...options })
  const full = []
  for (const c of contenders) {
    await run(c, { duration: 1 })
    full.push(await run(c, { duration: fullSeconds }))
  }
  const results = contenders.map(() => [])
  for (let round = 0; round <= rounds; round++) {
    for (const [i, c] of contenders.entries()) {
      const r = await run(c, { amount: rateAmount, rate })
      if (r.notOk > 0) throw new Error(`${c.server.name}: ${r.notOk} requests failed`)
      if (round > 0) results[i].push(r)
    }
  }
  return contenders.map((c, i) => {
    const rs = results[i]
    if (full[i].notOk > 0) throw new Error(`${c.server.name}: ${full[i].notOk} requests failed`)
    return {
      name: c.name ?? c.server.name,
      cpu: median(rs.map((r) => r.cpuMicrosPerRequest)),
      // The per-round ratio to the first contender, so that both sides of a ratio saw the same machine load.
      ratio: median(rs.map((r, k) => r.cpuMicrosPerRequest / results[0][k].cpuMicrosPerRequest)),
      cpuFull: full[i].cpuMicrosPerRequest,
      rps: full[i].requestsPerSecond,
      p50: full[i].p50,
      p99: full[i].p99
    }
  })
}

const show = (title, rate, rows) => {
  console.log(`\n## ${title}`)
  table(
    rows.map((r) => ({
      what: r.name,
      [`CPU µs/req @${fmt(rate)}/s`]: fmt(r.cpu, 1),
      "x baseline": fmt(r.ratio, 2),
      "max req/s": fmt(r.rps),
      "CPU µs/req @max": fmt(r.cpuFull, 1),
      "p50 ms": fmt(r.p50, 1),
      "p99 ms": fmt(r.p99, 1)
    }))
  )
}

console.log(`# cdn-proxy benchmark: ${rounds} measured rounds (median), loopback, emulator upstream`)
const goals = []
if (runs("cached")) {
  const rows = await compare(
    [
      // The same request to both, Authorization header included: parsing it is node's work, not the proxy's.
      { server: cached, headers: auth },
      { server: proxy, headers: auth, name: "proxy: a terminal operation" },
      // Polled within PROXY_CACHE_RUNNING_TTL, then asked upstream again: the herd's own path.
      { server: proxy, headers: auth, name: "proxy: a running operation", path: pathOf(running) }
    ],
    { rate: cachedRate, rateAmount: cachedRate * 3 }
  )
  show(`Answered from the cache (16 connections; CPU at a fixed ${fmt(cachedRate)} req/s)`, cachedRate, rows)
  for (const row of rows.slice(1)) {
    goals.push([
      `cached (${row.name.slice(9)}): CPU per request <= 1.5x bare`,
      row.ratio <= 1.5,
      `${fmt(row.ratio, 2)}x`
    ])
  }
}
if (runs("forwarded")) {
  const rows = await compare(
    [
      { server: forwarder, headers: auth },
      { server: proxyOff, headers: auth }
    ],
    { rate: forwardedRate, rateAmount: forwardedRate * 3 }
  )
  show(`Forwarded upstream (16 connections; CPU at a fixed ${fmt(forwardedRate)} req/s)`, forwardedRate, rows)
  goals.push([`forwarded: CPU per request <= 1.5x bare forwarder`, rows[1].ratio <= 1.5, `${fmt(rows[1].ratio, 2)}x`])
}

/** Upstream calls the emulator logged for one path while `load` ran. */
const upstreamCallsDuring = async (path, load) => {
  await control(emulator.url, "DELETE", "/requests")
  const result = await load()
  const log = await control(emulator.url, "GET", "/requests")
  const bare = path.slice(0, path.indexOf("?"))
  return { result, calls: log.filter((entry) => entry.path === bare).length }
}

if (runs("herd")) {
  const herdConnections = 50
  const herd = await upstreamCallsDuring(pathOf(running), () =>
    measure({
      pid: proxy.pid,
      url: `${proxy.url}${pathOf(running)}`,
      headers: auth,
      connections: herdConnections,
      duration: 3
    })
  )
  const herdRatio = herd.calls / herd.result.requests
  const terminal = await upstreamCallsDuring(pathOf(polled), () =>
    measure({ pid: proxy.pid, url: `${proxy.url}${pathOf(polled)}`, headers: auth, connections: 20, duration: 2 })
  )
  console.log(`\n## The herd (through the proxy, cache on)`)
  table([
    {
      what: `${herdConnections} pollers of one running operation`,
      requests: fmt(herd.result.requests),
      "upstream calls": herd.calls,
      "calls per request": fmt(herdRatio, 4),
      "req/s": fmt(herd.result.requestsPerSecond)
    },
    {
      what: "one terminal operation polled again and again",
      requests: fmt(terminal.result.requests),
      "upstream calls": terminal.calls,
      "calls per request": fmt(terminal.calls / terminal.result.requests, 4),
      "req/s": fmt(terminal.result.requestsPerSecond)
    }
  ])
  goals.unshift(
    [`herd: upstream calls per client request <= 0.06`, herdRatio <= 0.06, fmt(herdRatio, 4)],
    [`terminal polled: no upstream call after the first`, terminal.calls <= 1, `${terminal.calls} call(s)`]
  )
}

// The soak: a fresh proxy at its default cache capacity under mixed reads for BENCH_SOAK_SECONDS (default 90): the
// same terminal and running operations polled, thousands of distinct ones read once or twice (the cache fills and
// turns over), the endpoint list. Its peak resident memory is the figure the memory goal is about;
// BENCH_SOAK_NODE_FLAGS gives that proxy's node flags (such as --max-old-space-size=48) to try a heap setting.
let soak
if (runs("soak")) {
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 90)
  const distinct = []
  for (let i = 0; i < 2_000; i++) {
    distinct.push(
      pathOf(
        await control(emulator.url, "POST", "/operations", {
          SubscriptionId: seed.subscriptionId,
          EndpointId: seed.endpointId,
          DurationMs: i % 2 === 0 ? 0 : 3_600_000
        })
      )
    )
  }
  const soakPort = await freePort()
  const soaked = await start(
    "proxy (soak)",
    proxyArgs(process.env.BENCH_SOAK_NODE_FLAGS),
    proxyEnv({ PORT: String(soakPort) }),
    soakPort,
    proxyLog
  )
  const list = `/subscriptions/${seed.subscriptionId}/endpoints?apiVersion=1.0`
  const mix = [terminalPath, pathOf(running), list]
  let n = 0
  const { default: autocannon } = await import("autocannon")
  const result = await autocannon({
    url: soaked.url,
    connections: 32,
    duration: seconds,
    headers: auth,
    timeout: 10,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          n += 1
          // Half the polls go to the usual few, half to the thousands.
          const path = n % 2 === 0 ? mix[n % mix.length] : distinct[(n >> 1) % distinct.length]
          return { ...request, path }
        }
      }
    ]
  })
  // Where the memory is at the end, from the proxy's own /metrics: the JavaScript heap, and what lives outside it.
  const metricsText = await (await fetch(`${soaked.url}/metrics`)).text()
  const gauge = (name) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metricsText)?.[1] ?? Number.NaN) / 1048576
  soak = {
    seconds,
    requests: result.requests.total,
    serverErrors: result["5xx"] ?? 0,
    failed: result.non2xx + result.errors + result.timeouts,
    peak: peakRssMiB(soaked.pid),
    rss: gauge("process_resident_memory_bytes"),
    heapUsed: gauge("nodejs_heap_size_used_bytes"),
    heapTotal: gauge("nodejs_heap_size_total_bytes"),
    external: gauge("nodejs_external_memory_bytes")
  }
  console.log(
    `\n## The soak (${seconds} s of mixed reads, 32 connections, a fresh proxy at the default cache capacity)`
  )
  table([
    {
      what: "proxy (soak)",
      requests: fmt(soak.requests),
      "5xx": soak.serverErrors,
      "not 2xx": soak.failed,
      "peak RSS MiB": fmt(soak.peak, 1),
      "RSS at end": fmt(soak.rss, 1),
      "heap used": fmt(soak.heapUsed, 1),
      "heap total": fmt(soak.heapTotal, 1),
      external: fmt(soak.external, 1)
    }
  ])
  goals.push([`soak: 0 x 5xx`, soak.serverErrors === 0, `${soak.serverErrors}`])
  goals.push([`soak: peak RSS <= 120 MiB`, soak.peak <= 120, `${fmt(soak.peak, 1)} MiB`])
}

console.log("\n## Peak RSS (VmHWM)")
table(
  [cached, proxy, forwarder, proxyOff, emulator].map((s) => ({
    process: s.name,
    "peak RSS MiB": fmt(peakRssMiB(s.pid), 1)
  }))
)

// The log of a long soak passes 512 MiB, more than one string holds: it is read in pieces, each searched with the
// end of the one before, so that no secret split between two pieces goes unseen.
const secrets = [token, key.AZURE_CDN_KEY_VALUE, "Bearer ", "AzureCDN "]
const leaked = new Set()
let lines = 0
{
  const fd = openSync(proxyLog, "r")
  const piece = Buffer.alloc(16 * 1024 * 1024)
  const overlap = Math.max(...secrets.map((secret) => secret.length))
  let tail = ""
  for (let read = readSync(fd, piece); read > 0; read = readSync(fd, piece)) {
    const text = tail + piece.toString("latin1", 0, read)
    for (const secret of secrets) if (text.includes(secret)) leaked.add(secret)
    for (let at = text.indexOf("\n", tail.length); at >= 0; at = text.indexOf("\n", at + 1)) lines += 1
    tail = text.slice(-overlap)
  }
  closeSync(fd)
}
goals.push([`no token, key or Authorization header in the proxy's log`, leaked.size === 0, `${fmt(lines)} lines`])
console.log("")
for (const [what, met, value] of goals) console.log(`goal: ${what} -> ${met ? "met" : "NOT met"} (${value})`)

for (const s of [proxy, proxyOff, forwarder, cached, emulator]) s.child.kill("SIGTERM")
process.exit(0)
