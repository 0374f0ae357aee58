import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, getSeed, lines, startEmulator, testKey } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>
let dir: string

beforeAll(async () => {
  emulator = await startEmulator()
  control = emulatorControl(emulator.url)
  dir = await mkdtemp(join(tmpdir(), "azcdn-test-"))
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => control.reset())

const wrongEnv = () => ({
  AZURE_CDN_BASE_URL: emulator.url,
  AZURE_CDN_KEY_ID: "some-other-key",
  AZURE_CDN_KEY_VALUE: "some-other-value"
})

describe("flags win over the environment", () => {
  it("uses --key-id and --key-value over AZURE_CDN_KEY_ID and AZURE_CDN_KEY_VALUE", async () => {
    const result = await azcdn(getSeed("--key-id", testKey.id, "--key-value", testKey.value), { env: wrongEnv() })
    expect(result.code).toBe(0)
    const [request] = await control.requests()
    expect(request).toMatchObject({ keyId: testKey.id, signatureValid: true })
  })

  it("uses a wrong --key-value over a right AZURE_CDN_KEY_VALUE, and says WrongSignature", async () => {
    const result = await azcdn(getSeed("--key-value", "wrong-value"), { env: emulator.env })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^azcdn: WrongSignature: /)
  })

  it("uses --base-url over AZURE_CDN_BASE_URL", async () => {
    const closed = await startEmulator()
    await closed.close()
    const result = await azcdn(getSeed("--base-url", emulator.url), {
      env: { ...emulator.env, AZURE_CDN_BASE_URL: closed.url }
    })
    expect(result.code).toBe(0)
    expect(await control.requests()).toHaveLength(1)
  })

  it("takes each setting from where it is given: the key ID from a flag, the value from the env", async () => {
    const result = await azcdn(getSeed("--key-id", testKey.id), {
      env: { ...emulator.env, AZURE_CDN_KEY_ID: "some-other-key" }
    })
    expect(result.code).toBe(0)
  })
})

describe("the key value from a file or stdin", () => {
  it("reads it from a file, dropping the trailing newline", async () => {
    const file = join(dir, "key")
    await writeFile(file, `${testKey.value}\n`)
    const result = await azcdn(getSeed("--key-value-file", file), {
      env: { ...emulator.env, AZURE_CDN_KEY_VALUE: undefined }
    })
    expect(result.code).toBe(0)
    expect((await control.requests())[0]?.signatureValid).toBe(true)
  })

  it("reads it from stdin with --key-value-file -", async () => {
    const result = await azcdn(getSeed("--key-value-file", "-"), {
      env: { ...emulator.env, AZURE_CDN_KEY_VALUE: undefined },
      input: `${testKey.value}\r\n`
    })
    expect(result.code).toBe(0)
    expect((await control.requests())[0]?.signatureValid).toBe(true)
  })

  it("prefers the file over AZURE_CDN_KEY_VALUE", async () => {
    const file = join(dir, "key-over-env")
    await writeFile(file, testKey.value)
    const result = await azcdn(getSeed("--key-value-file", file), {
      env: { ...emulator.env, AZURE_CDN_KEY_VALUE: "some-other-value" }
    })
    expect(result.code).toBe(0)
  })

  it("exits 2 for a file that does not exist, naming it, and sends nothing", async () => {
    const file = join(dir, "missing")
    const result = await azcdn(getSeed("--key-value-file", file), { env: emulator.env })
    expect(result.code).toBe(2)
    expect(lines(result.stderr)).toEqual([expect.stringContaining(`cannot read the key value file ${file}`)])
    expect(await control.requests()).toEqual([])
  })

  it("exits 2 for an empty key file, and for both --key-value and --key-value-file", async () => {
    const file = join(dir, "empty")
    await writeFile(file, "\n")
    const empty = await azcdn(getSeed("--key-value-file", file), { env: emulator.env })
    const both = await azcdn(getSeed("--key-value-file", file, "--key-value", "x"), { env: emulator.env })
    expect([empty.code, both.code]).toEqual([2, 2])
    expect(empty.stderr).toContain("is empty")
    expect(both.stderr).toContain("not both")
    expect(await control.requests()).toEqual([])
  })
})

describe("missing credentials", () => {
  it("exits 2 with no credentials at all, saying how to give them, and sends nothing", async () => {
    const result = await azcdn(getSeed(), { env: { AZURE_CDN_BASE_URL: emulator.url } })
    expect(result.code).toBe(2)
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^azcdn: UsageError: missing credentials: pass --key-id .* or add --emulator/)
    ])
    expect(await control.requests()).toEqual([])
  })

  it("exits 2 naming the half that is missing", async () => {
    const noValue = await azcdn(getSeed("--key-id", testKey.id), { env: { AZURE_CDN_BASE_URL: emulator.url } })
    const noId = await azcdn(getSeed(), { env: { AZURE_CDN_BASE_URL: emulator.url, AZURE_CDN_KEY_VALUE: "x" } })
    expect(noValue.stderr).toMatch(/missing the key value/)
    expect(noId.stderr).toMatch(/missing the key ID/)
    expect([noValue.code, noId.code]).toEqual([2, 2])
  })

  it("treats an empty variable as unset", async () => {
    const result = await azcdn(getSeed(), { env: { ...emulator.env, AZURE_CDN_KEY_ID: "" } })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/missing the key ID/)
  })

  it("exits 2 for a base URL that is not http(s)", async () => {
    const result = await azcdn(getSeed("--base-url", "ftp://example.com"), { env: emulator.env })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^azcdn: UsageError: --base-url \/ AZURE_CDN_BASE_URL: must be an http\(s\) URL/)
  })
})
