// Cold start of azcdn as users feel it: a real command (`operation get … -o json` against a local emulator) beside a
// bare node script doing the same signed GET and printing the JSON, plus `--version` and `sign` beside bare `node -e 0`.
// Rounds interleave the contenders, so a change in machine load hits them alike; run once in the machine's
// environment and once without NODE_EXTRA_CA_CERTS (which adds to every Node start). Peak RSS is read in extra runs.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Server, Store } from "@org/cdn-emulator"
import { fmt, median, table } from "./measure.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
// What users run: the launcher (from the startup snapshot when there is one); the plain bundle beside it.
const launcher = here("../apps/cli/dist/azcdn")
const bundle = here("../apps/cli/dist/azcdn.cjs")
if (!existsSync(launcher) || !existsSync(bundle)) {
  console.error(`cli-startup: ${launcher} is missing: run pnpm build first`)
  process.exit(1)
}
if (!existsSync(here("../apps/cli/dist/azcdn.blob"))) console.warn("cli-startup: no startup snapshot was built")
const rounds = Number(process.env.BENCH_ROUNDS ?? 15)

// Async spawn: the emulator answering the GETs runs in this process and must not be blocked.
// `args` starting with the launcher run it (an executable); anything else runs under this Node.
const run = (args, env, { rss = false } = {}) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const [command, argv] = args[0] === launcher ? [launcher, args.slice(1)] : [process.execPath, args]
    const child = spawn(command, argv, {
      // The launcher's node gets the preload through NODE_OPTIONS.
      env: rss ? { ...env, NODE_OPTIONS: `-r ${here("peak-rss.cjs")}` } : env,
      stdio: ["ignore", "ignore", "pipe", ...(rss ? ["pipe"] : [])]
    })
    let stderr = ""
    let peak = ""
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    child.stdio[3]?.on("data", (chunk) => {
      peak += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const millis = Number(process.hrtime.bigint() - start) / 1e6
      if (code === 0) resolve({ millis, peakKiB: Number(peak.trim()) })
      else reject(new Error(`node ${args.join(" ")} exited with ${code}: ${stderr.trim()}`))
    })
  })

const emulator = await Server.start({ port: 0 })
const { subscriptionId, endpointId, operationId } = Store.seed
const machine = {
  ...process.env,
  AZURE_CDN_BASE_URL: emulator.url,
  AZURE_CDN_KEY_ID: "emulator-key",
  AZURE_CDN_KEY_VALUE: "emulator-secret"
}
const { NODE_EXTRA_CA_CERTS: _extra, ...withoutExtraCerts } = machine

const get = ["operation", "get", operationId, "--subscription", subscriptionId, "--endpoint", endpointId, "-o", "json"]
const contenders = {
  "node -e 0 (bare)": ["-e", "0"],
  "bare signed GET (node:http)": [here("baseline-get.mjs"), operationId, subscriptionId, endpointId],
  "azcdn --version": [launcher, "--version"],
  "azcdn sign (no network)": [launcher, "sign", "--method", "GET", "--url", "/subscriptions/x?apiVersion=1.0"],
  "azcdn operation get -o json": [launcher, ...get],
  "  the same from the plain bundle": [bundle, ...get],
  // What a shell's completion asks at each Tab (bash, zsh and fish alike).
  "azcdn __complete (a command's flags)": [launcher, "__complete", "bash", "traffic", "volume", "--"]
}
const entries = Object.entries(contenders)
const ratioOf = (times, i, base) => median(times[i].map((t, r) => t / times[base][r]))

const measure = async (label, env) => {
  // One warm-up round: the first start of a file pays for the disk cache.
  for (const [, args] of entries) await run(args, env)
  const times = entries.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < entries.length; i++) times[i].push((await run(entries[i][1], env)).millis)
  }
  console.log(`\n## CLI start-up, ${label}: wall time per process (median of ${rounds} interleaved rounds)`)
  table(
    entries.map(([name], i) => ({
      what: name,
      "median ms": fmt(median(times[i]), 1),
      "ratio to node -e 0": fmt(ratioOf(times, i, 0), 2),
      "ratio to bare GET": i >= 1 ? fmt(ratioOf(times, i, 1), 2) : ""
    }))
  )
  const real = ratioOf(times, 4, 1)
  const version = ratioOf(times, 2, 0)
  const completion = median(times[6])
  console.log(`real command: azcdn operation get / bare signed GET = ${fmt(real, 2)}`)
  return { real, version, completion }
}

try {
  const inMachine = await measure("in the machine's environment", machine)
  const bare = await measure("without NODE_EXTRA_CA_CERTS", withoutExtraCerts)
  const peaks = { base: [], azcdn: [] }
  for (let r = 0; r < 5; r++) {
    peaks.base.push((await run(entries[1][1], machine, { rss: true })).peakKiB)
    peaks.azcdn.push((await run(entries[4][1], machine, { rss: true })).peakKiB)
  }
  const mib = (kib) => `${fmt(kib / 1024, 1)} MiB`
  console.log(
    `\npeak RSS (median of 5): azcdn operation get ${mib(median(peaks.azcdn))}, bare signed GET ${mib(median(peaks.base))}`
  )
  console.log(
    `goal: real command in the machine's environment <= 2.00x (aim 1.50x) -> ${inMachine.real <= 2 ? "met" : "NOT met"} (${fmt(inMachine.real, 2)}; without the extra certificates ${fmt(bare.real, 2)})`
  )
  console.log(
    `goal: azcdn --version / bare node <= 3.00 -> ${inMachine.version <= 3 ? "met" : "NOT met"} (${fmt(inMachine.version, 2)})`
  )
  console.log(
    `goal: a completion under 1 s -> ${inMachine.completion < 1000 ? "met" : "NOT met"} (${fmt(inMachine.completion, 0)} ms)`
  )
} finally {
  await emulator.close()
}
