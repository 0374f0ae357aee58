// Cold start of the azcdn bundle: median wall time of whole processes, beside bare `node -e 0` in the same run.
// Rounds interleave the contenders (as measure.mjs does), so a change in machine load hits them alike.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Server, Store } from "@org/cdn-emulator"
import { fmt, median, table } from "./measure.mjs"

const bundle = fileURLToPath(new URL("../apps/cli/dist/azcdn.cjs", import.meta.url))
if (!existsSync(bundle)) {
  console.error(`cli-startup: ${bundle} is missing: run pnpm build first`)
  process.exit(1)
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 15)

// Async spawn: the emulator answering `operation get` runs in this process and must not be blocked.
const wallMillis = (args, env) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      const millis = Number(process.hrtime.bigint() - start) / 1e6
      if (code === 0) resolve(millis)
      else reject(new Error(`node ${args.join(" ")} exited with ${code}: ${stderr.trim()}`))
    })
  })

const emulator = await Server.start({ port: 0 })
const env = {
  ...process.env,
  AZURE_CDN_BASE_URL: emulator.url,
  AZURE_CDN_KEY_ID: "emulator-key",
  AZURE_CDN_KEY_VALUE: "emulator-secret"
}
const { subscriptionId, endpointId, operationId } = Store.seed

const contenders = {
  "node -e 0 (bare)": ["-e", "0"],
  "azcdn --version": [bundle, "--version"],
  "azcdn sign (no network)": [bundle, "sign", "--method", "GET", "--url", "/subscriptions/x?apiVersion=1.0"],
  "azcdn operation get (emulator)": [
    bundle,
    "operation",
    "get",
    operationId,
    "--subscription",
    subscriptionId,
    "--endpoint",
    endpointId,
    "-o",
    "json"
  ]
}

try {
  const entries = Object.entries(contenders)
  // One warm-up round: the first start of a file pays for the disk cache.
  for (const [, args] of entries) await wallMillis(args, env)
  const times = entries.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < entries.length; i++) times[i].push(await wallMillis(entries[i][1], env))
  }
  const results = entries.map(([name], i) => ({
    name,
    medianMs: median(times[i]),
    ratio: median(times[i].map((t, r) => t / times[0][r]))
  }))

  console.log(`\n## CLI start-up: wall time per process (median of ${rounds} interleaved rounds)`)
  table(results.map((r) => ({ what: r.name, "median ms": fmt(r.medianMs, 1), "ratio to bare": fmt(r.ratio, 2) })))
  const version = results[1]
  console.log(
    `goal: azcdn --version / bare node <= 3.00 -> ${version.ratio <= 3 ? "met" : "NOT met"} (${fmt(version.ratio, 2)})`
  )
} finally {
  await emulator.close()
}
