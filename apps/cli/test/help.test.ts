import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { azcdn } from "./support.js"

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))

describe("--help and --version", () => {
  it("--version prints the package version", async () => {
    expect(await azcdn(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: "" })
  })

  it("--help works with no credentials and lists every command, the exit codes and the environment", async () => {
    const result = await azcdn(["--help"])
    expect(result.code).toBe(0)
    for (const command of ["operation get", "operation wait", "sign", "emulator"]) {
      expect(result.stdout).toContain(command)
    }
    const exitCodes = result.stdout.slice(result.stdout.indexOf("EXIT CODES"))
    for (const code of ["0", "1", "2", "3", "4", "5"]) expect(exitCodes).toMatch(new RegExp(`^${code}$`, "m"))
    expect(exitCodes).toContain("SubscriptionNotFound")
    expect(result.stdout).toContain("AZURE_CDN_KEY_VALUE")
    // No terminal styles in a pipe.
    expect(result.stdout).not.toContain("\x1b[")
  })

  it.each(["operation get", "operation wait", "sign", "emulator"])(
    "%s --help works with no credentials and lists the exit codes",
    async (command) => {
      const result = await azcdn([...command.split(" "), "--help"])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("EXIT CODES")
      expect(result.stdout).toContain("--output")
    }
  )

  it("exits 2 for a command that does not exist, or none", async () => {
    const unknown = await azcdn(["purge-everything"])
    const none = await azcdn([])
    expect([unknown.code, none.code]).toEqual([2, 2])
    expect(none.stderr).toContain("choose a command")
  })
})
