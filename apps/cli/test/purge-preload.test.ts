import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, lines, seedEndpoint, startEmulator } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>
let dir: string
const a = "http://file.example.cn/pictures/a.png"
const b = "http://file.example.cn/pictures/b.png"
const img = "http://file.example.cn/img/"

beforeAll(async () => {
  emulator = await startEmulator({ taskDuration: "600 millis" })
  control = emulatorControl(emulator.url)
  dir = await mkdtemp(join(tmpdir(), "azcdn-urls-"))
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => control.reset())

const fast = ["--interval", "200ms"]

describe("azcdn purge", () => {
  it("prints the purge id (exit 0); purge show prints the per-item results", async () => {
    const result = await azcdn(["purge", ...seedEndpoint, "--url", a, "--dir", img, "-o", "tsv"], { env: emulator.env })
    expect(result.code).toBe(0)
    const id = result.stdout.trim()
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    // The endpoint is read first (its domain, to warn of URLs on another host), then the purge is sent once.
    const [read, logged, ...more] = await control.requests()
    expect(read).toMatchObject({ method: "GET", status: 200 })
    expect(logged).toMatchObject({ method: "POST", status: 202, signatureValid: true })
    expect(more).toEqual([])
    const shown = await azcdn(["purge", "show", id, ...seedEndpoint, "-o", "tsv"], { env: emulator.env })
    expect(shown.code).toBe(0)
    expect(lines(shown.stdout)).toEqual([`file\tRunning\t${a}`, `directory\tRunning\t${img}`])
  })

  it("--wait follows it with the status line, then prints each item: exit 0 when all Succeed", async () => {
    const result = await azcdn(["purge", ...seedEndpoint, "--url", a, "--url", b, "--wait", ...fast, "-o", "json"], {
      env: emulator.env
    })
    expect(result.code).toBe(0)
    const printed = JSON.parse(result.stdout)
    expect(printed.Operation).toMatchObject({ Type: "Purge", Status: "Succeeded" })
    expect(printed.Files).toEqual([
      { Url: a, Status: "Succeed" },
      { Url: b, Status: "Succeed" }
    ])
    expect(result.stderr).toMatch(/azcdn: purge [0-9a-f-]{36} accepted/)
    expect(result.stderr).toMatch(/Succeeded \(\d+s elapsed, \d+ polls\)/)
  })

  it("--wait: exit 4 when an item Failed, the items still printed", async () => {
    await control.setFailures({ Urls: [b] })
    const result = await azcdn(["purge", ...seedEndpoint, "--url", a, "--url", b, "--wait", ...fast, "-o", "tsv"], {
      env: emulator.env
    })
    expect(result.code).toBe(4)
    expect(lines(result.stdout)).toEqual([`file\tSucceed\t${a}`, `file\tFailed\t${b}`])
    expect(result.stderr).toMatch(/1 item Failed/)
  })

  it("--wait: exit 5 when --timeout passes first", async () => {
    const result = await azcdn(
      ["purge", ...seedEndpoint, "--url", a, "--wait", "--interval", "100ms", "--timeout", "300ms"],
      {
        env: emulator.env
      }
    )
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/WaitTimedOut/)
  })

  it("--from-file: URLs one per line (a trailing / is a directory, # a comment), also from stdin", async () => {
    const file = join(dir, "urls.txt")
    await writeFile(file, `# to purge\n${a}\n\n${img}\n`)
    const fromFile = await azcdn(["purge", ...seedEndpoint, "--from-file", file, "--wait", ...fast, "-o", "tsv"], {
      env: emulator.env
    })
    expect(fromFile.code).toBe(0)
    // The batch report: kind, state, URL, purge id, and with --wait the result.
    expect(lines(fromFile.stdout).map((line) => line.split("\t").filter((_, i) => i !== 3))).toEqual([
      ["file", "accepted", a, "Succeed"],
      ["directory", "accepted", img, "Succeed"]
    ])
    const fromStdin = await azcdn(["purge", ...seedEndpoint, "--url", b, "--from-file", "-", "-o", "json"], {
      env: emulator.env,
      input: `${a}\n`
    })
    expect(fromStdin.code).toBe(0)
  })

  it("bad input: one line, exit 2, nothing sent", async () => {
    // More than one request holds, given on the command line (a file goes to the batch planner instead).
    const many = Array.from({ length: 2001 }, (_, i) => `http://file.example.cn/${i}.png`)
    const cases: ReadonlyArray<ReadonlyArray<string>> = [
      ["purge", ...seedEndpoint, "--url", "/pictures/a.png"],
      ["purge", ...seedEndpoint, ...many],
      ["purge", ...seedEndpoint, "--from-file", join(dir, "missing.txt")],
      ["purge", ...seedEndpoint],
      ["purge", "--endpoint", seedEndpoint[3], "--url", a],
      ["purge", ...seedEndpoint.slice(0, 2), "--endpoint", "not-a-guid", "--url", a]
    ]
    for (const args of cases) {
      const result = await azcdn(args, { env: emulator.env })
      expect(result.code, args.join(" ")).toBe(2)
      expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: /)])
    }
    expect(await control.requests()).toEqual([])
  })

  it("a purge on an unknown endpoint: exit 3; a service failure: exit 1", async () => {
    const unknown = await azcdn(
      ["purge", "--subscription", seedEndpoint[1], "--endpoint", "66666666-7777-4888-9999-aaaaaaaaaaaa", "--url", a],
      { env: emulator.env }
    )
    expect(unknown.code).toBe(3)
    await control.setFaults({ error: { every: 1, type: "InternalError", status: 500 } })
    const failed = await azcdn(["purge", ...seedEndpoint, "--url", a], { env: emulator.env })
    expect(failed.code).toBe(1)
    expect(lines(failed.stderr)).toEqual([expect.stringContaining("InternalError")])
  })
})

describe("azcdn preload", () => {
  it("--wait: Waiting, Running, then Succeed for each file (exit 0); preload show prints them", async () => {
    const result = await azcdn(["preload", ...seedEndpoint, "--url", a, "--wait", ...fast, "-o", "tsv"], {
      env: emulator.env
    })
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toEqual([`file\tSucceed\t${a}`])
    const id = /preload ([0-9a-f-]{36}) accepted/.exec(result.stderr)?.[1] as string
    const shown = await azcdn(["preload", "show", id, ...seedEndpoint, "-o", "json"], { env: emulator.env })
    expect(JSON.parse(shown.stdout)).toEqual({ Files: [{ Url: a, Status: "Succeed" }] })
  })

  it("files only: --dir is not an option of preload (exit 2); none at all is a usage error", async () => {
    expect((await azcdn(["preload", ...seedEndpoint, "--dir", img], { env: emulator.env })).code).toBe(2)
    expect((await azcdn(["preload", ...seedEndpoint], { env: emulator.env })).code).toBe(2)
    expect(await control.requests()).toEqual([])
  })

  it("works against the embedded emulator with no account", async () => {
    const result = await azcdn(["preload", ...seedEndpoint, "--url", a, "--emulator", "-o", "tsv"])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/)
  })
})
