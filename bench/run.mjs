// Runs every benchmark in turn, each in its own process so that one does not warm up or slow another.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const suites = ["signing.mjs", "request.mjs", "cli-startup.mjs", "proxy.mjs", "replicas.mjs", "writes-fuzz.mjs"]
const only = process.argv.slice(2)
for (const suite of suites.filter((s) => only.length === 0 || only.some((o) => s.includes(o)))) {
  const { status } = spawnSync(process.execPath, [fileURLToPath(new URL(suite, import.meta.url))], { stdio: "inherit" })
  if (status !== 0) process.exitCode = status ?? 1
}
