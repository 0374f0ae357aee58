import { describe, expect, it } from "vitest"
import { azcdn, getSeed, lines, running, seed, startEmulator, testKey } from "./support.js"

const demoEnv = { AZURE_CDN_KEY_ID: "emulator-key", AZURE_CDN_KEY_VALUE: "emulator-secret" }
const listening = /listening on (http:\/\/127\.0\.0\.1:\d+) \(key ID ([^)]+)\)/

describe("azcdn emulator", () => {
  it("prints its URL when listening, answers signed calls, and exits 0 on SIGTERM", async () => {
    const emulator = running(["emulator", "--port", "0"])
    const [, url] = await emulator.waitFor("stdout", listening)
    const get = await azcdn(getSeed("-o", "tsv"), { env: { ...demoEnv, AZURE_CDN_BASE_URL: url } })
    expect(get.code).toBe(0)
    expect(get.stdout.split("\t")[0]).toBe(seed.operationId)
    emulator.child.kill("SIGTERM")
    const result = await emulator.exit
    expect(result).toMatchObject({ code: 0, signal: null })
    expect(lines(result.stdout)).toEqual([
      `azcdn emulator listening on ${url} (key ID emulator-key); stop it with Ctrl-C`
    ])
    expect(lines(result.stderr)).toEqual(["azcdn emulator: SIGTERM received, stopping"])
    // The port is closed: nothing answers there any more.
    await expect(fetch(`${url}/_emulator/requests`)).rejects.toThrow()
  })

  it("exits 0 on SIGINT too", async () => {
    const emulator = running(["emulator", "--port", "0"])
    await emulator.waitFor("stdout", listening)
    emulator.child.kill("SIGINT")
    expect((await emulator.exit).code).toBe(0)
  })

  it("accepts the configured key instead of the demo key, and prints JSON with -o json", async () => {
    const keyEnv = { AZURE_CDN_KEY_ID: testKey.id, AZURE_CDN_KEY_VALUE: testKey.value }
    const emulator = running(["emulator", "--port", "0", "-o", "json"], { env: keyEnv })
    const [line] = await emulator.waitFor("stdout", /^\{.*\}\n/)
    const { url, keyId } = JSON.parse(line)
    expect(keyId).toBe(testKey.id)
    const withKey = await azcdn(getSeed(), { env: { ...keyEnv, AZURE_CDN_BASE_URL: url } })
    const withDemo = await azcdn(getSeed(), { env: { ...demoEnv, AZURE_CDN_BASE_URL: url } })
    emulator.child.kill("SIGTERM")
    expect((await emulator.exit).code).toBe(0)
    expect(withKey.code).toBe(0)
    expect(withDemo.code).toBe(1)
    expect(withDemo.stderr).toMatch(/^azcdn: ApiKeyNotFound: /)
  })

  it("exits 1 when the port is taken, saying why", async () => {
    const taken = await startEmulator()
    try {
      const result = await azcdn(["emulator", "--port", String(taken.port)])
      expect(result.code).toBe(1)
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(new RegExp(`^azcdn: ListenFailed: cannot listen on 127.0.0.1:${taken.port}: EADDRINUSE`))
      ])
    } finally {
      await taken.close()
    }
  })

  it("exits 2 for a port out of range", async () => {
    const result = await azcdn(["emulator", "--port", "70000"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--port must be 0-65535")
  })
})

describe("--emulator: the embedded, in-process emulator", () => {
  it("gets the seed operation with no account and no credentials", async () => {
    const result = await azcdn(getSeed("--emulator", "-o", "json"))
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ Id: seed.operationId, Status: "Succeeded" })
  })

  it("signs with the demo key, and shows the round trip with --verbose", async () => {
    const result = await azcdn(getSeed("--emulator", "--verbose"))
    expect(result.code).toBe(0)
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^\[debug\] GET \/subscriptions\/.* -> 200 in \d+ ms, correlation id [0-9a-f-]{36}$/)
    ])
  })

  it("answers like the service: exit 3 for an unknown subscription, exit 0 for wait", async () => {
    const missing = await azcdn([
      "operation",
      "get",
      seed.operationId,
      "--subscription",
      "0b8e7a62-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
      "--endpoint",
      seed.endpointId,
      "--emulator"
    ])
    const wait = await azcdn([
      "operation",
      "wait",
      seed.operationId,
      "--subscription",
      seed.subscriptionId,
      "--endpoint",
      seed.endpointId,
      "--emulator"
    ])
    expect(missing.code).toBe(3)
    expect(wait.code).toBe(0)
  })

  it("uses the configured key when there is one, read once even from stdin", async () => {
    const result = await azcdn(getSeed("--emulator", "--key-id", testKey.id, "--key-value-file", "-"), {
      input: `${testKey.value}\n`
    })
    expect(result.code).toBe(0)
  })

  it("ignores the environment's base URL: nothing leaves the process", async () => {
    const result = await azcdn(getSeed("--emulator"), { env: { AZURE_CDN_BASE_URL: "http://127.0.0.1:9" } })
    expect(result.code).toBe(0)
  })
})
