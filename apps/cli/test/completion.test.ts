/**
 * `azcdn completion bash|zsh|fish`, driven in each real shell (Debian's bash, zsh and fish): subcommands at every
 * depth, each command's own flags, flag values, profile names, `cache-rules` intact.
 */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { azcdn, bin, runProgram } from "./support.js"

let folder: string
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "azcdn-completion-"))
  const config = join(folder, "config.json")
  await writeFile(config, JSON.stringify({ profiles: { work: { keyId: "k" }, staging: { keyId: "s" } } }), {
    mode: 0o600
  })
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await azcdn(["completion", shell])
    expect(result.code).toBe(0)
    await writeFile(join(folder, `azcdn.${shell}`), result.stdout)
  }
  env = { ...process.env, AZCDN_CONFIG: config, PATH: `${dirname(bin)}:${process.env.PATH}`, HOME: folder }
})

const run = (command: string, args: ReadonlyArray<string>) => runProgram(command, args, { env, cwd: folder })

// The line as the shell splits it: on spaces, the word being typed last (empty after a space).
const words = (line: string): Array<string> => line.split(" ")

/** What bash offers for `line` (the cursor at its end), through the script's completion function. */
const bash = async (line: string) => {
  const all = words(line)
  const script = `source ./azcdn.bash
COMP_WORDS=(${all.map((word) => `'${word}'`).join(" ")})
COMP_CWORD=${all.length - 1}
COMP_LINE='${line}'
_azcdn
printf '%s\\n' "\${COMPREPLY[@]}"`
  const result = await run("bash", ["-c", script])
  expect(result.stderr).toBe("")
  return result.stdout.split("\n").filter((word) => word !== "")
}

/** What zsh offers: the script's function with compadd and _files standing in for the completion system's. */
const zsh = async (line: string) => {
  const all = words(line)
  const script = `compadd() { local arr; while [[ $1 == -* ]]; do if [[ $1 == -a ]]; then arr=$2; shift; fi; shift; done; print -l -- "\${(@P)arr}" }
_files() { print -- __files__ }
compdef() { : }
source ./azcdn.zsh
words=(${all.map((word) => `'${word}'`).join(" ")})
CURRENT=${all.length}
_azcdn`
  const result = await run("zsh", ["-f", "-c", script])
  expect(result.stderr).toBe("")
  return result.stdout.split("\n").filter((word) => word !== "")
}

/** What fish offers: its own `complete -C`, the candidates without their descriptions. */
const fish = async (line: string) => {
  const result = await run("fish", ["--no-config", "-c", `source ./azcdn.fish; complete -C'${line}'`])
  expect(result.stderr).toBe("")
  return result.stdout
    .split("\n")
    .filter((word) => word !== "")
    .map((entry) => entry.split("\t")[0] as string)
}

const shells = { bash, zsh, fish }

describe.each(Object.entries(shells))("%s completes", (_, complete) => {
  it("the commands, then each group's subcommands, cache-rules intact", async () => {
    const top = await complete("azcdn ")
    expect(top).toEqual(expect.arrayContaining(["purge", "endpoint", "cache-rules", "access-control", "completion"]))
    expect(top).not.toContain("cache__rules")
    expect(await complete("azcdn cache-r")).toEqual(["cache-rules"])
    expect((await complete("azcdn cache-rules ")).sort()).toEqual(["get", "set"])
    expect((await complete("azcdn endpoint ")).sort()).toEqual(
      ["create", "delete", "disable", "enable", "list", "show", "update"].sort()
    )
  })

  it("each command's own flags, and the global ones", async () => {
    const purge = await complete("azcdn purge --")
    expect(purge).toEqual(expect.arrayContaining(["--url", "--dir", "--from-file", "--dry-run", "--wait", "--output"]))
    expect(purge).not.toContain("--granularity")
    const volume = await complete("azcdn traffic volume --g")
    expect(volume).toEqual(["--granularity"])
  })

  it("enum values and profile names", async () => {
    expect((await complete("azcdn endpoint list --output ")).sort()).toEqual(["json", "table", "tsv", "yaml"])
    expect((await complete("azcdn endpoint list -o t")).sort()).toEqual(["table", "tsv"])
    expect((await complete("azcdn traffic volume --granularity Per")).sort()).toEqual([
      "PerDay",
      "PerFiveMinutes",
      "PerHour"
    ])
    expect((await complete("azcdn endpoint list --profile ")).sort()).toEqual(["staging", "work"])
  })
})

describe("file names where a flag takes a file", () => {
  it("bash and zsh fall back to files; fish offers them", async () => {
    await writeFile(join(folder, "urls-to-purge.txt"), "/a.png\n")
    expect(await bash("azcdn purge --from-file ")).toEqual([])
    expect(await zsh("azcdn purge --from-file ")).toEqual(["__files__"])
    expect(await fish("azcdn purge --from-file urls-")).toEqual(["urls-to-purge.txt"])
  })
})
