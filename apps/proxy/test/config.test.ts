import { afterAll, describe, expect, it } from "vitest"
import { allLines, key, leakedSecrets, spawnProxy, tokens } from "./support.js"

const good = {
  PORT: "0",
  HOST: "127.0.0.1",
  AZURE_CDN_BASE_URL: "http://127.0.0.1:9",
  AZURE_CDN_KEY_ID: key.id,
  AZURE_CDN_KEY_VALUE: key.value,
  PROXY_TOKENS: JSON.stringify([{ name: "ci", token: tokens.ci }])
}

// Starts the built bundle with one variable changed and returns its exit code and error output.
const startWith = async (change: Record<string, string | undefined>) => {
  const env = Object.fromEntries(
    Object.entries({ ...good, ...change }).filter((entry): entry is [string, string] => entry[1] !== undefined)
  )
  const proxy = spawnProxy(env)
  const code = await proxy.exited
  return { code, stderr: proxy.stderr, stdout: proxy.lines }
}

// Every line of every start in this file, stdout and stderr alike.
afterAll(() => expect(leakedSecrets(allLines)).toEqual([]))

describe("configuration from the environment", () => {
  const cases: Array<[string, string, Record<string, string | undefined>]> = [
    ["PROXY_TOKENS missing", "PROXY_TOKENS", { PROXY_TOKENS: undefined }],
    ["PROXY_TOKENS not JSON", "PROXY_TOKENS", { PROXY_TOKENS: `not json ${tokens.ci}` }],
    ["PROXY_TOKENS empty", "PROXY_TOKENS", { PROXY_TOKENS: "[]" }],
    ["a token too short", "PROXY_TOKENS", { PROXY_TOKENS: '[{"name":"a","token":"short"}]' }],
    [
      "token and sha256 both",
      "PROXY_TOKENS",
      { PROXY_TOKENS: JSON.stringify([{ name: "a", token: tokens.ci, sha256: "a".repeat(64) }]) }
    ],
    [
      "a bad subscription",
      "PROXY_TOKENS",
      { PROXY_TOKENS: JSON.stringify([{ name: "a", token: tokens.ci, subscriptions: ["x"] }]) }
    ],
    ["AZURE_CDN_KEY_ID missing", "AZURE_CDN_KEY_ID", { AZURE_CDN_KEY_ID: undefined }],
    ["AZURE_CDN_KEY_VALUE missing", "AZURE_CDN_KEY_VALUE", { AZURE_CDN_KEY_VALUE: undefined }],
    ["AZURE_CDN_BASE_URL not http", "AZURE_CDN_BASE_URL", { AZURE_CDN_BASE_URL: "ftp://example" }],
    ["PORT not a number", "PORT", { PORT: "eighty" }],
    ["PORT out of range", "PORT", { PORT: "70000" }],
    ["PROXY_CACHE neither on nor off", "PROXY_CACHE", { PROXY_CACHE: "maybe" }],
    ["PROXY_CACHE_MAX_BYTES below 64 KiB", "PROXY_CACHE_MAX_BYTES", { PROXY_CACHE_MAX_BYTES: "1000" }],
    ["PROXY_CACHE_MAX_BYTES not a number", "PROXY_CACHE_MAX_BYTES", { PROXY_CACHE_MAX_BYTES: "16MB" }],
    ["PROXY_CACHE_RUNNING_TTL not a duration", "PROXY_CACHE_RUNNING_TTL", { PROXY_CACHE_RUNNING_TTL: "soon" }],
    ["PROXY_UPSTREAM_RATE_LIMIT zero", "PROXY_UPSTREAM_RATE_LIMIT", { PROXY_UPSTREAM_RATE_LIMIT: "0" }],
    ["PROXY_UPSTREAM_RATE_LIMIT above 1000", "PROXY_UPSTREAM_RATE_LIMIT", { PROXY_UPSTREAM_RATE_LIMIT: "5000" }]
  ]
  it.each(cases)("%s: exits 2 before listening, with one line naming %s", async (_what, variable, change) => {
    const { code, stderr, stdout } = await startWith(change)
    expect(code).toBe(2)
    expect(stderr).toHaveLength(1)
    expect(stderr[0]).toMatch(new RegExp(`^cdn-proxy: invalid configuration: ${variable}: `))
    expect(stdout.some((line) => line.includes('"listening"'))).toBe(false)
    // The line says what is wrong, never the value: PROXY_TOKENS holds secrets.
    for (const secret of [tokens.ci, key.value]) expect(stderr[0]).not.toContain(secret)
  })

  it("a port already taken: exits 1 with one line", async () => {
    const { createServer } = await import("node:net")
    const taken = createServer().listen(0, "127.0.0.1")
    await new Promise((resolve) => taken.once("listening", resolve))
    const port = (taken.address() as { port: number }).port
    const { code, stderr } = await startWith({ PORT: String(port) })
    taken.close()
    expect(code).toBe(1)
    expect(stderr).toEqual([expect.stringMatching(/^cdn-proxy: could not start: .*EADDRINUSE/)])
  })
})
