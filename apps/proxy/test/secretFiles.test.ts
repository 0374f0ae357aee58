/**
 * Secrets from files, as Kubernetes mounts a Secret: PROXY_TOKENS_FILE and AZURE_CDN_KEY_VALUE_FILE read again as they
 * change (the `..data` symlink swap and in-place rewrites), within 5 s, no request failing; a bad file keeps the
 * old secret, says so in one log line without it, and counts in /metrics.
 */
import { mkdir, mkdtemp, rename, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  allLines,
  call,
  type Emulator,
  key,
  leakedSecrets,
  type RunningProxy,
  seedPath,
  spawnProxy,
  startEmulator,
  startProxy
} from "./support.js"

const tokens = {
  stays: "stays-token-0123456789abcdef-s3cr3t",
  leaves: "leaves-token-0123456789abcdef-s3cr3t",
  arrives: "arrives-token-0123456789abcdef-s3cr3t"
}
const entries = (...names: Array<keyof typeof tokens>) =>
  JSON.stringify(names.map((name) => ({ name, token: tokens[name] })))

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator.close()
  expect(leakedSecrets(allLines)).toEqual([])
  for (const token of Object.values(tokens)) expect(allLines.join("\n")).not.toContain(token)
})

/** A Secret volume as the kubelet lays it out: `<dir>/<name>` → `..data/<name>` → `..<version>/<name>`. */
const secretVolume = async (name: string, content: string) => {
  const dir = await mkdtemp(join(tmpdir(), "proxy-secret-"))
  let version = 0
  const publish = async (text: string) => {
    version += 1
    const folder = join(dir, `..v${version}`)
    await mkdir(folder)
    await writeFile(join(folder, name), text)
    // The kubelet's swap: a new ..data link renamed over the old one, in one step.
    await symlink(`..v${version}`, join(dir, "..data_tmp"))
    await rename(join(dir, "..data_tmp"), join(dir, "..data"))
    return join(folder, name)
  }
  const first = await publish(content)
  await symlink(join("..data", name), join(dir, name))
  return { path: join(dir, name), publish, current: () => join(dir, `..v${version}`, name), first }
}

const until = async (check: () => Promise<boolean>, ms = 5000) => {
  const started = Date.now()
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`not within ${ms} ms`)
}

const status = async (proxy: RunningProxy, token: string) =>
  (await call(`${proxy.url}${seedPath}?apiVersion=1.0`, { token })).status

const metric = async (proxy: RunningProxy, line: RegExp) => {
  const text = (await call(`${proxy.url}/metrics`)).text
  return Number(line.exec(text)?.[1])
}

describe("PROXY_TOKENS_FILE", () => {
  it("the ..data swap takes effect within 5 s: a removed token is refused at once (even one remembered), no request fails", async () => {
    const volume = await secretVolume("tokens.json", entries("stays", "leaves"))
    const proxy = await startProxy(emulator, { PROXY_TOKENS: undefined, PROXY_TOKENS_FILE: volume.path })
    try {
      expect(await status(proxy, tokens.leaves)).toBe(200)
      expect(await status(proxy, tokens.arrives)).toBe(401)
      // A caller whose token is in both files polls throughout: none of its requests may fail.
      let polling = true
      const seen: Array<number> = []
      const poller = (async () => {
        while (polling) seen.push(await status(proxy, tokens.stays))
      })()
      await volume.publish(entries("stays", "arrives"))
      const took = await until(async () => (await status(proxy, tokens.arrives)) === 200)
      expect(took).toBeLessThan(5000)
      expect(await status(proxy, tokens.leaves)).toBe(401)
      polling = false
      await poller
      expect(seen.length).toBeGreaterThan(5)
      expect(new Set(seen)).toEqual(new Set([200]))
      expect(await metric(proxy, /^cdn_proxy_secret_reloads_total\{secret="tokens"\} (\d+)$/m)).toBe(1)
    } finally {
      await proxy.stop()
    }
  })

  it("an in-place rewrite too; an empty or unreadable file keeps the old tokens, one log line, a count in /metrics", async () => {
    const volume = await secretVolume("tokens.json", entries("stays", "leaves"))
    const proxy = await startProxy(emulator, { PROXY_TOKENS: undefined, PROXY_TOKENS_FILE: volume.path })
    try {
      await writeFile(volume.current(), entries("stays"))
      await until(async () => (await status(proxy, tokens.leaves)) === 401)
      for (const bad of ["", "[{not json"]) {
        await writeFile(volume.current(), bad)
        await new Promise((resolve) => setTimeout(resolve, 2500))
        expect(await status(proxy, tokens.stays)).toBe(200)
      }
      expect(await metric(proxy, /^cdn_proxy_secret_reload_failures_total\{secret="tokens"\} (\d+)$/m)).toBe(2)
      const warnings = proxy.lines.filter((line) => line.includes("secret file not reloaded"))
      expect(warnings).toHaveLength(2)
      expect(JSON.parse(warnings[0] as string)).toMatchObject({
        level: "warn",
        secret: "tokens",
        reason: "the file is empty"
      })
    } finally {
      await proxy.stop()
    }
  })

  it("both PROXY_TOKENS and PROXY_TOKENS_FILE, or a file that cannot be read: exit 2 with one line", async () => {
    const both = spawnProxy({
      PORT: "0",
      AZURE_CDN_KEY_ID: key.id,
      AZURE_CDN_KEY_VALUE: key.value,
      PROXY_TOKENS: entries("stays"),
      PROXY_TOKENS_FILE: "/nonexistent"
    })
    expect(await both.exited).toBe(2)
    expect(both.stderr.join("\n")).toContain("PROXY_TOKENS_FILE")
    const missing = spawnProxy({
      PORT: "0",
      AZURE_CDN_KEY_ID: key.id,
      AZURE_CDN_KEY_VALUE: key.value,
      PROXY_TOKENS_FILE: "/nonexistent/tokens.json"
    })
    expect(await missing.exited).toBe(2)
    expect(missing.stderr.join("\n")).toMatch(/PROXY_TOKENS_FILE.*cannot read \/nonexistent\/tokens\.json \(ENOENT\)/)
  })
})

describe("AZURE_CDN_KEY_VALUE_FILE", () => {
  it("a new key signs the next upstream call within 5 s; an empty file keeps the old key", async () => {
    const volume = await secretVolume("key", `${key.value}\n`)
    const proxy = await startProxy(emulator, {
      AZURE_CDN_KEY_VALUE: undefined,
      AZURE_CDN_KEY_VALUE_FILE: volume.path,
      // Every request goes upstream, so each is signed afresh.
      PROXY_CACHE: "off",
      PROXY_TOKENS: entries("stays")
    })
    try {
      expect(await status(proxy, tokens.stays)).toBe(200)
      // A key the service does not know: the proxy signs with it, and the service refuses.
      await volume.publish("a-rotated-key-the-emulator-does-not-know\n")
      await until(async () => (await status(proxy, tokens.stays)) !== 200)
      await volume.publish(`${key.value}\n`)
      await until(async () => (await status(proxy, tokens.stays)) === 200)
      await writeFile(volume.current(), "")
      await new Promise((resolve) => setTimeout(resolve, 2500))
      expect(await status(proxy, tokens.stays)).toBe(200)
      expect(await metric(proxy, /^cdn_proxy_secret_reload_failures_total\{secret="key"\} (\d+)$/m)).toBe(1)
      expect(await metric(proxy, /^cdn_proxy_secret_reloads_total\{secret="key"\} (\d+)$/m)).toBe(2)
    } finally {
      await proxy.stop()
    }
  })
})
