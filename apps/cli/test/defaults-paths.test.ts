/**
 * Fewer GUIDs: the subscription and endpoint from the environment or the profile, an endpoint by its custom domain,
 * and purges by path on the endpoint's domain.
 */
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, lines, seed, startEmulator, testKey } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>
let dir: string

const other = "0b7a9c52-6d1e-4f3a-9b8c-1d2e3f4a5b6c"
const unknownSubscription = "9d9d9d9d-1111-4222-8333-444455556666"

beforeAll(async () => {
  emulator = await startEmulator({ taskDuration: "200 millis" })
  control = emulatorControl(emulator.url)
  dir = await mkdtemp(join(tmpdir(), "azcdn-defaults-"))
})
afterAll(() => emulator.close())
beforeEach(() => control.reset())

const show = ["endpoint", "show", "-o", "json"]
const shownId = (stdout: string) => (JSON.parse(stdout) as { EndpointId: string }).EndpointId

describe("the subscription and endpoint by default", () => {
  it("AZURE_CDN_SUBSCRIPTION_ID and AZURE_CDN_ENDPOINT_ID stand for the flags; a flag wins over them", async () => {
    const env = {
      ...emulator.env,
      AZURE_CDN_SUBSCRIPTION_ID: seed.subscriptionId,
      AZURE_CDN_ENDPOINT_ID: seed.endpointId
    }
    const fromEnv = await azcdn(show, { env })
    expect(fromEnv.code, fromEnv.stderr).toBe(0)
    expect(shownId(fromEnv.stdout)).toBe(seed.endpointId)
    const flagWins = await azcdn([...show, "--subscription", unknownSubscription], { env })
    expect(flagWins.code).toBe(3)
    expect(flagWins.stderr).toMatch(/SubscriptionNotFound/)
  })

  it("a profile keeps them (azcdn configure --subscription --endpoint); the environment wins over the profile", async () => {
    const config = join(dir, "config.json")
    const configured = await azcdn(
      [
        "configure",
        "--key-id",
        testKey.id,
        "--key-value-file",
        "-",
        "--base-url",
        emulator.url,
        "--subscription",
        seed.subscriptionId,
        "--endpoint",
        "file.example.cn"
      ],
      { env: { AZCDN_CONFIG: config }, input: `${testKey.value}\n` }
    )
    expect(configured.code, configured.stderr).toBe(0)
    const fromProfile = await azcdn(show, { env: { AZCDN_CONFIG: config } })
    expect(fromProfile.code, fromProfile.stderr).toBe(0)
    expect(shownId(fromProfile.stdout)).toBe(seed.endpointId)
    // Found by its domain with the list call, then shown.
    expect((await control.requests()).map((request) => request.path)).toEqual([
      `/subscriptions/${seed.subscriptionId}/endpoints`,
      `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}`
    ])
    const envWins = await azcdn(show, {
      env: { AZCDN_CONFIG: config, AZURE_CDN_SUBSCRIPTION_ID: unknownSubscription }
    })
    expect(envWins.code).toBe(3)
  })

  it("none anywhere: exit 2 saying where it may come from, nothing sent", async () => {
    const result = await azcdn(show, { env: { ...emulator.env, AZCDN_CONFIG: join(dir, "none.json") } })
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      "azcdn: UsageError: --subscription is required: pass it, set AZURE_CDN_SUBSCRIPTION_ID, or keep one in the profile (azcdn configure --subscription …)\n"
    )
    expect(await control.requests()).toEqual([])
  })
})

describe("--endpoint by its custom domain", () => {
  it("any case; a domain no endpoint serves is exit 3 naming those that exist", async () => {
    const sub = ["--subscription", seed.subscriptionId]
    const found = await azcdn([...show, ...sub, "--endpoint", "FILE.example.cn"], { env: emulator.env })
    expect(found.code, found.stderr).toBe(0)
    expect(shownId(found.stdout)).toBe(seed.endpointId)
    await control.putEndpoint({
      SubscriptionId: seed.subscriptionId,
      EndpointId: other,
      CustomDomain: "img.example.cn"
    })
    const unknown = await azcdn([...show, ...sub, "--endpoint", "cdn.nowhere.cn"], { env: emulator.env })
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toBe(
      `azcdn: UnknownDomain: no endpoint of subscription ${seed.subscriptionId} serves cdn.nowhere.cn (its domains: file.example.cn, img.example.cn)\n`
    )
  })

  it("neither a GUID nor a domain: exit 2, nothing sent", async () => {
    const result = await azcdn([...show, "--subscription", seed.subscriptionId, "--endpoint", "not-a-guid"], {
      env: emulator.env
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--endpoint: must be the endpoint's GUID or its custom domain/)
    expect(await control.requests()).toEqual([])
  })
})

describe("azcdn purge by path", () => {
  const ref = ["--subscription", seed.subscriptionId, "--endpoint", seed.endpointId]

  it("paths are URLs on the endpoint's domain; a directory ends in /; duplicates go once", async () => {
    const result = await azcdn(["purge", "/img/a.png", "/css/", "/img/a.png", ...ref, "--wait", "-o", "json"], {
      env: emulator.env
    })
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as {
      Files: ReadonlyArray<{ Url: string }>
      Directories: ReadonlyArray<{ Url: string }>
    }
    expect(report.Files.map((item) => item.Url)).toEqual(["http://file.example.cn/img/a.png"])
    expect(report.Directories.map((item) => item.Url)).toEqual(["http://file.example.cn/css/"])
    expect(result.stderr).not.toContain("warning")
  })

  it("https when the endpoint serves https only; full URLs too; one warning line for URLs on another host", async () => {
    await control.putEndpoint({
      SubscriptionId: seed.subscriptionId,
      EndpointId: other,
      CustomDomain: "secure.example.cn",
      AllowedScheme: "Https"
    })
    const result = await azcdn(
      [
        "purge",
        "/a.png",
        "https://secure.example.cn/b.png",
        "http://elsewhere.example.cn/c.png",
        "http://elsewhere.example.cn/d/",
        "--subscription",
        seed.subscriptionId,
        "--endpoint",
        "secure.example.cn",
        "--wait",
        "-o",
        "json"
      ],
      { env: emulator.env }
    )
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as { Files: ReadonlyArray<{ Url: string }> }
    expect(report.Files.map((item) => item.Url).sort()).toEqual([
      "http://elsewhere.example.cn/c.png",
      "https://secure.example.cn/a.png",
      "https://secure.example.cn/b.png"
    ])
    expect(lines(result.stderr).filter((line) => line.includes("warning"))).toEqual([
      "azcdn: warning: 2 URLs are on elsewhere.example.cn, not the endpoint's domain secure.example.cn; sent as given"
    ])
  })

  it("a bad path, or a path given to --url: exit 2, nothing sent", async () => {
    for (const args of [
      ["purge", "/a/../b.png", ...ref],
      ["purge", "img/a.png", ...ref],
      ["purge", "--url", "/img/a.png", ...ref]
    ]) {
      const result = await azcdn(args, { env: emulator.env })
      expect(result.code, args.join(" ")).toBe(2)
      expect(lines(result.stderr)).toHaveLength(1)
    }
    expect(await control.requests()).toEqual([])
  })
})
