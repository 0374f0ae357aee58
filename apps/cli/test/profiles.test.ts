import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { azcdn, seed, startEmulator, testKey } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let dir: string

beforeAll(async () => {
  emulator = await startEmulator()
  dir = await mkdtemp(join(tmpdir(), "azcdn-profiles-"))
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

const list = ["endpoint", "list", "--subscription", seed.subscriptionId, "-o", "tsv"]

describe("azcdn profiles", () => {
  it("configure writes a profile (mode 600) from flags and stdin; --profile then needs nothing else", async () => {
    const config = join(dir, "a", "config.json")
    const written = await azcdn(
      ["configure", "--profile", "work", "--key-id", testKey.id, "--key-value-file", "-", "--base-url", emulator.url],
      { env: { AZCDN_CONFIG: config }, input: `${testKey.value}\n` }
    )
    expect(written.code).toBe(0)
    expect(written.stdout).toContain(`profile work written to ${config}`)
    expect((await stat(config)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(config, "utf8")).profiles.work).toEqual({
      keyId: testKey.id,
      keyValue: testKey.value,
      baseUrl: emulator.url
    })
    const used = await azcdn([...list, "--profile", "work"], { env: { AZCDN_CONFIG: config } })
    expect(used.code).toBe(0)
    expect(used.stdout).toContain(seed.endpointId)
    expect(used.stderr).toBe("")
  })

  it("env variables and flags win over the profile", async () => {
    const config = join(dir, "b.json")
    await writeFile(
      config,
      JSON.stringify({
        profiles: { default: { keyId: "wrong", keyValue: "wrong-value", baseUrl: "http://127.0.0.1:9" } }
      }),
      { mode: 0o600 }
    )
    const result = await azcdn(list, { env: { AZCDN_CONFIG: config, ...emulator.env } })
    expect(result.code).toBe(0)
    const flags = await azcdn([...list, "--base-url", emulator.url, "--key-id", testKey.id], {
      env: { AZCDN_CONFIG: config, AZURE_CDN_KEY_VALUE: testKey.value }
    })
    expect(flags.code).toBe(0)
  })

  it("a profile file others can read: a warning, once; an unknown profile: exit 2 naming the known ones", async () => {
    const config = join(dir, "c.json")
    await writeFile(
      config,
      JSON.stringify({ profiles: { team: { keyId: testKey.id, keyValue: testKey.value, baseUrl: emulator.url } } })
    )
    await chmod(config, 0o644)
    const warned = await azcdn([...list, "--profile", "team"], { env: { AZCDN_CONFIG: config } })
    expect(warned.code).toBe(0)
    expect(warned.stderr.match(/others can read it \(mode 644\): chmod 600/g)).toHaveLength(1)
    const unknown = await azcdn([...list, "--profile", "nope"], { env: { AZCDN_CONFIG: config } })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("(profiles: team)")
  })
})

describe("azcdn --completions", () => {
  it.each(["bash", "zsh", "fish"])("prints a %s completion script", async (shell) => {
    const result = await azcdn(["--completions", shell])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("azcdn")
    expect(result.stdout).toContain("purge")
  })
})
