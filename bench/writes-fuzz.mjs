// Thousands of seeded hostile writes through the built proxy to a recording upstream: the proxy's own fuzz test
// (apps/proxy/test/writesFuzz.test.ts), run with more cases and several seeds. Goal: 0 x 5xx, 0 invalid writes
// upstream, every valid write forwarded once.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const proxy = fileURLToPath(new URL("../apps/proxy/", import.meta.url))
const cases = Number(process.env.PROXY_FUZZ_CASES ?? 6000)
const seeds = [1, 20261205, 424242]

console.log(`\n## Hostile writes through the proxy (${cases} per seed)`)
let failed = false
for (const seed of seeds) {
  const run = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "test/writesFuzz.test.ts"], {
    cwd: proxy,
    encoding: "utf8",
    env: { ...process.env, PROXY_FUZZ_CASES: String(cases), PROXY_FUZZ_SEED: String(seed), FORCE_COLOR: "0" }
  })
  const summary = /writes fuzz: .*/.exec(run.stdout)?.[0] ?? "no summary"
  console.log(`seed ${seed}: ${summary}${run.status === 0 ? "" : " (FAILED)"}`)
  if (run.status !== 0) {
    failed = true
    console.log(
      run.stdout
        .split("\n")
        .filter((line) => line.includes("#"))
        .slice(0, 10)
        .join("\n")
    )
  }
}
console.log(`goal: 0 x 5xx, 0 invalid writes upstream, every valid one forwarded once -> ${failed ? "NOT met" : "met"}`)
if (failed) process.exitCode = 1
