import { readFileSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeCa } from "../../../packages/cdn-core/test/certificates.js"
import { azcdn, bin, running, runProgram, startEmulator, testKey } from "./support.js"

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))

// Every runnable command, as the root help lists them.
const commandsOf = (rootHelp: string): Array<string> => {
  const section = rootHelp.slice(
    rootHelp.indexOf("Commands:\n") + 10,
    rootHelp.indexOf("\n\n", rootHelp.indexOf("Commands:"))
  )
  return section
    .split("\n")
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => (line.trim().split(/\s{2,}/)[0] as string).trim())
}

// The examples of a command's help, each as one shell line (continuations joined).
const examplesOf = (help: string): Array<string> => {
  const start = help.indexOf("Examples:\n")
  if (start === -1) return []
  const block = help.slice(start + 10, help.indexOf("\n\n", start))
  return block
    .replace(/ \\\n\s+/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
}

// A line run by sh, without blocking this process (the emulator answering it runs here).
const shell = (line: string, cwd: string, env: NodeJS.ProcessEnv) => runProgram("sh", ["-c", line], { env, cwd })

const banned = [
  "A user-defined piece of text",
  "This setting is optional",
  "A true or false value",
  "One of the following:"
]

describe("--help and --version", () => {
  it("--version prints the package version", async () => {
    expect(await azcdn(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: "" })
  })

  it("the root lists each command once with one line; exit codes, the environment; within 80 columns", async () => {
    const result = await azcdn(["--help"], { env: { COLUMNS: undefined } })
    expect(result.code).toBe(0)
    const commands = commandsOf(result.stdout)
    expect(commands).toContain("purge")
    expect(commands).toContain("cache-rules set")
    expect(commands).toContain("traffic report")
    expect(new Set(commands).size).toBe(commands.length)
    expect(result.stdout).toMatch(/^Exit codes:\n {2}0 {2}success/m)
    expect(result.stdout).toContain("AZURE_CDN_SUBSCRIPTION_ID")
    for (const line of result.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80)
    for (const phrase of banned) expect(result.stdout).not.toContain(phrase)
    expect(result.stdout).not.toContain("\x1b[")
  })

  it("COLUMNS sets the width when not on a terminal", async () => {
    const narrow = await azcdn(["endpoint", "list", "--help"], { env: { COLUMNS: "60" } })
    for (const line of narrow.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(60)
    const wide = await azcdn(["endpoint", "list", "--help"], { env: { COLUMNS: "160" } })
    expect(Math.max(...wide.stdout.split("\n").map((line) => line.length))).toBeGreaterThan(80)
  })

  it("every command: usage naming it whole, its env variables beside its options, -h equal to --help, no filler, examples", async () => {
    const root = await azcdn(["--help"])
    for (const command of commandsOf(root.stdout)) {
      const words = command.split(" ")
      const [long, short] = await Promise.all([azcdn([...words, "--help"]), azcdn([...words, "-h"])])
      expect(long.code, command).toBe(0)
      expect(short.stdout, command).toBe(long.stdout)
      expect(long.stdout.split("\n")[0], command).toMatch(new RegExp(`^Usage: azcdn ${command}( |$)`))
      for (const line of long.stdout.split("\n")) expect(line.length, `${command}: ${line}`).toBeLessThanOrEqual(80)
      for (const phrase of banned) expect(long.stdout, command).not.toContain(phrase)
      if (long.stdout.includes("--subscription <guid>"))
        expect(long.stdout, command).toContain("AZURE_CDN_SUBSCRIPTION_ID")
      expect(examplesOf(long.stdout).length, command).toBeGreaterThan(0)
    }
  })

  it("a required option is marked so, and named in the usage line", async () => {
    const result = await azcdn(["traffic", "report", "--help"])
    expect(result.stdout.split("\n")[0]).toContain("--out <path|->")
    expect(result.stdout).toMatch(/--out <path\|->[\s\S]*?Required\./)
  })

  it("exits 2 for a command that does not exist, or none", async () => {
    const unknown = await azcdn(["purge-everything"])
    const none = await azcdn([])
    const unknownHelp = await azcdn(["endpoint", "frobnicate", "--help"])
    expect([unknown.code, none.code, unknownHelp.code]).toEqual([2, 2, 2])
    expect(none.stderr).toContain("choose a command")
    expect(unknownHelp.stderr).toBe("azcdn: UsageError: no command endpoint frobnicate (see azcdn --help)\n")
  })
})

describe("the examples run", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>
  let folder: string

  beforeAll(async () => {
    emulator = await startEmulator({ taskDuration: "100 millis", endpointCreateDuration: "100 millis" })
    folder = await mkdtemp(join(tmpdir(), "azcdn-examples-"))
    const site = makeCa().valid("file.example.cn")
    await writeFile(join(folder, "fullchain.pem"), site.certificate)
    await writeFile(join(folder, "privkey.pem"), site.key)
    await writeFile(join(folder, "key.txt"), `${testKey.value}\n`)
    await writeFile(join(folder, "urls.txt"), "/img/a.png\nhttp://file.example.cn/css/\n")
    await writeFile(
      join(folder, "rules.json"),
      JSON.stringify({ Rules: [{ Type: "Suffix", Items: ["png"], TTL: 60 }] })
    )
    await writeFile(join(folder, "access.json"), JSON.stringify({ ForbiddenIps: ["10.0.0.1"] }))
  })
  afterAll(() => emulator.close())

  it("every command's examples, as written, in a shell with the key set and the files they name", async () => {
    const root = await azcdn(["--help"])
    const env = {
      ...process.env,
      ...emulator.env,
      AZCDN_CONFIG: join(folder, "config.json"),
      // `azcdn` on the PATH is the one under test.
      PATH: `${dirname(bin)}:${process.env.PATH}`
    }
    let ran = 0
    for (const command of commandsOf(root.stdout)) {
      if (command === "emulator") continue
      const help = await azcdn([...command.split(" "), "--help"])
      for (const example of examplesOf(help.stdout)) {
        await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" })
        const result = await shell(example, folder, env)
        expect(result.code, `${example}\n${result.stderr}`).toBe(0)
        ran += 1
      }
    }
    expect(ran).toBeGreaterThan(25)
  }, 120_000)

  it("the emulator's example starts it", async () => {
    const help = await azcdn(["emulator", "--help"])
    const [example] = examplesOf(help.stdout)
    const args = (example as string)
      .split(" ")
      .slice(1)
      .map((word) => (word === "8787" ? "0" : word))
    const emulatorRun = running(args)
    await emulatorRun.waitFor("stdout", /listening on http:\/\/127\.0\.0\.1:\d+/)
    emulatorRun.child.kill("SIGTERM")
    expect((await emulatorRun.exit).code).toBe(0)
  })
})
