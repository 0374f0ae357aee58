/**
 * The batch planner: any number of URLs from a file, deduplicated, split into requests of at most 2,000 files and 500
 * directories, within the daily quota (exit 6 when it is used), resumable with --state even after SIGKILL.
 */
import { existsSync } from "node:fs"
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  azcdn,
  bin,
  emulatorControl,
  lines,
  running,
  runProgram,
  seed,
  seedEndpoint,
  startEmulator
} from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>
let dir: string
let env: Record<string, string>

const file = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `/img/${from + i}.png`)
const directories = (n: number) => Array.from({ length: n }, (_, i) => `/d${i}/`)
const raised = ["--daily-quota", "files=100000,dirs=10000"]

beforeAll(async () => {
  // The emulator's own daily quota raised, as the service raises it on request.
  emulator = await startEmulator({
    quotas: { purgeFiles: 100_000, purgeDirectories: 10_000 },
    taskDuration: "100 millis"
  })
  control = emulatorControl(emulator.url)
})
afterAll(() => emulator.close())
beforeEach(async () => {
  await control.reset()
  dir = await mkdtemp(join(tmpdir(), "azcdn-batch-"))
  // A fresh quota count per test, under its own XDG state folder.
  env = { ...emulator.env, XDG_STATE_HOME: join(dir, "state") }
})

const list = async (name: string, urls: ReadonlyArray<string>) => {
  const path = join(dir, name)
  await writeFile(path, `# to purge\n${urls.join("\n")}\n`)
  return path
}

const posts = async () =>
  (await control.requests()).filter((request) => request.method === "POST" && request.path.endsWith("/purges"))

interface ReportRow {
  readonly Url: string
  readonly Kind: string
  readonly State: string
  readonly PurgeId: string | null
  readonly Result?: string | null
}

describe("azcdn purge --from-file (the batch planner)", () => {
  it("dedupes, splits into requests of at most 2,000 files and 500 directories, sent one after another; a report of every URL", async () => {
    const path = await list("urls.txt", [...file(4500), ...file(10), ...directories(600)])
    const result = await azcdn(["purge", "--from-file", path, ...seedEndpoint, ...raised, "-o", "json"], { env })
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as Array<ReportRow>
    expect(report).toHaveLength(5100)
    expect(report.every((row) => row.State === "accepted" && row.PurgeId !== null)).toBe(true)
    expect(new Set(report.map((row) => row.PurgeId)).size).toBe(3)
    expect(report[0]).toEqual({
      Url: "http://file.example.cn/img/0.png",
      Kind: "file",
      State: "accepted",
      PurgeId: expect.stringMatching(/^[0-9a-f-]{36}$/)
    })
    expect((await posts()).map((request) => request.status)).toEqual([202, 202, 202])
    expect(lines(result.stderr).filter((line) => line.includes("accepted"))).toHaveLength(3)
  })

  it("stops at the daily quota with exit 6 naming what remains; a rerun the next day sends only the rest", async () => {
    const path = await list("urls.txt", [...file(2500), "/css/"])
    const state = join(dir, "state.json")
    const first = await azcdn(["purge", "--from-file", path, "--state", state, ...seedEndpoint, "-o", "tsv"], { env })
    expect(first.code).toBe(6)
    expect(first.stderr).toMatch(/QuotaReached: .* 500 URLs remain; rerun after 00:00 UTC with --state/)
    const states = lines(first.stdout).map((line) => line.split("\t")[1])
    expect(states.filter((s) => s === "accepted")).toHaveLength(2001)
    expect(states.filter((s) => s === "pending")).toHaveLength(500)
    // The count is kept per subscription and UTC day under the XDG state folder.
    const ledger = JSON.parse(await readFile(join(dir, "state", "azcdn", "purge-quota.json"), "utf8"))
    expect(ledger[seed.subscriptionId]).toEqual({
      day: new Date().toISOString().slice(0, 10),
      files: 2000,
      directories: 1
    })

    // The next day (a fresh count), the same state: only the 500 left are sent.
    await writeFile(join(dir, "state", "azcdn", "purge-quota.json"), "{}")
    const second = await azcdn(["purge", "--from-file", path, "--state", state, ...seedEndpoint, "-o", "tsv"], { env })
    expect(second.code, second.stderr).toBe(0)
    expect(lines(second.stdout).every((line) => line.split("\t")[1] === "accepted")).toBe(true)
    expect((await posts()).length).toBe(2)
  })

  it("a rerun with the same --state never re-sends a URL, even after SIGKILL while a request was in flight", async () => {
    const path = await list("urls.txt", file(4500))
    const state = join(dir, "state.json")
    // Every request takes a while: the second one is still in flight when the run is killed.
    await control.setFaults({ latencyMs: 1200 })
    const run = running(["purge", "--from-file", path, "--state", state, ...seedEndpoint, ...raised, "-o", "json"], {
      env
    })
    await run.waitFor("stderr", /accepted: 2000 URLs \(2000 of 4500\)/)
    // The second request is in flight once its URLs are written as being sent.
    for (;;) {
      const saved = JSON.parse(await readFile(state, "utf8")) as { urls: Record<string, { state: string }> }
      if (Object.values(saved.urls).some((entry) => entry.state === "sending")) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // Well inside the request's 1.2 s: it has reached the service, which has not answered yet.
    await new Promise((resolve) => setTimeout(resolve, 300))
    run.child.kill("SIGKILL")
    const killed = await run.exit
    expect(killed.signal).toBe("SIGKILL")
    // Whatever became of the request in flight (answered to nobody, or abandoned), it has ended.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await control.setFaults({})
    const before = (await posts()).length

    const rerun = await azcdn(
      [
        "purge",
        "--from-file",
        path,
        "--state",
        state,
        ...seedEndpoint,
        ...raised,
        "-o",
        "json",
        "--wait",
        "--interval",
        "100ms"
      ],
      { env }
    )
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(rerun.stderr).toContain("2000 URLs were being sent when an earlier run stopped")
    const report = JSON.parse(rerun.stdout) as Array<ReportRow>
    const count = (state: string) => report.filter((row) => row.State === state).length
    expect([count("accepted"), count("unconfirmed"), count("pending")]).toEqual([2500, 2000, 0])
    // Accepted URLs have their result; the first run's and the rerun's purges are different ones.
    expect(report.filter((row) => row.State === "accepted").every((row) => row.Result === "Succeed")).toBe(true)
    expect(new Set(report.filter((row) => row.State === "accepted").map((row) => row.PurgeId)).size).toBe(2)
    // The rerun sent one request, the last 500: the in-flight 2,000 were not sent again.
    expect((await posts()).length - before).toBe(1)
    expect(lines(rerun.stderr).filter((line) => /accepted: \d+ URLs/.test(line))).toEqual([
      expect.stringMatching(/accepted: 500 URLs \(500 of 500\)$/)
    ])
  }, 60_000)

  it("a bad line is exit 2 naming its line number; nothing sent, no state written", async () => {
    const path = await list("urls.txt", ["/ok.png", "http://file.example.cn/a b.png", "/fine.png"])
    const state = join(dir, "state.json")
    const result = await azcdn(["purge", "--from-file", path, "--state", state, ...seedEndpoint], { env })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^azcdn: UsageError: --from-file line 3: the URL "http:\/\/file\.example\.cn\/a b\.png" must not hold/
    )
    expect(await control.requests()).toEqual([])
    expect(existsSync(state)).toBe(false)
  })

  it("--daily-quota that does not read: exit 2 before anything", async () => {
    const path = await list("urls.txt", ["/a.png"])
    const result = await azcdn(["purge", "--from-file", path, ...seedEndpoint, "--daily-quota", "lots"], { env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--daily-quota: expected files=N,dirs=M")
    expect(await control.requests()).toEqual([])
  })

  it("-o table with --wait: each URL's state, purge and result", async () => {
    const path = await list("urls.txt", ["/a.png", "/b/"])
    const result = await azcdn(
      ["purge", "--from-file", path, ...seedEndpoint, "--wait", "--interval", "100ms", "-o", "table"],
      { env }
    )
    expect(result.code, result.stderr).toBe(0)
    const [header, ...rows] = lines(result.stdout)
    expect(header).toMatch(/^KIND\s+STATE\s+URL\s+PURGE\s+RESULT$/)
    expect(rows.map((row) => row.split(/\s+/).filter((_, i) => i !== 3))).toEqual([
      ["file", "accepted", "http://file.example.cn/a.png", "Succeed"],
      ["directory", "accepted", "http://file.example.cn/b/", "Succeed"]
    ])
  })

  it("on a terminal, a progress bar (drawn in place) instead of a line per request", async () => {
    const path = await list("urls.txt", file(2500))
    // util-linux's script gives azcdn a terminal.
    const command = [bin, "purge", "--from-file", path, ...seedEndpoint, ...raised, "-o", "tsv"].join(" ")
    const result = (await runProgram("script", ["-qec", command, "/dev/null"], { env: { ...process.env, ...env } }))
      .stdout
    expect(result).toContain("\r\x1b[2Kazcdn: purge [###################-----] 2000/2500 URLs sent, request 1 of 2")
    expect(result).toContain("\r\x1b[2Kazcdn: purge [########################] 2500/2500 URLs sent, request 2 of 2")
    expect(result).not.toMatch(/accepted: \d+ URLs/)
  })
})
