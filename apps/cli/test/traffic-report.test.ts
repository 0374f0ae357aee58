/**
 * `azcdn traffic report` as a reader meets it: the file the built azcdn writes, opened offline in Debian's headless
 * Chromium: nothing fetched but the file, no console error, every chart drawn, and the summary's numbers the
 * emulator's own series.
 */
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readFile, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { createCdnClient } from "@org/cdn-core/promise"
import puppeteer, { type Browser } from "puppeteer-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, seed, startEmulator, testKey } from "./support.js"

// Debian's chromium (apt-get install chromium), never a downloaded browser.
const chromium = process.env.AZCDN_TEST_CHROMIUM ?? "/usr/bin/chromium"
const artifacts = fileURLToPath(new URL("../test-artifacts/", import.meta.url))

const week = { from: "2024-01-01T00:00:00Z", to: "2024-01-08T00:00:00Z" }
const others = ["0b7a9c52-6d1e-4f3a-9b8c-1d2e3f4a5b6c", "7c6b5a49-3827-4165-9e8d-7c6b5a493827"]

let emulator: Awaited<ReturnType<typeof startEmulator>>
let browser: Browser
let folder: string

beforeAll(async () => {
  emulator = await startEmulator()
  const control = emulatorControl(emulator.url)
  for (const [index, endpointId] of others.entries()) {
    await control.putEndpoint({
      SubscriptionId: seed.subscriptionId,
      EndpointId: endpointId,
      CustomDomain: `img${index}.example.cn`
    })
  }
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // The sandbox needs user namespaces a CI container may not give; the page is our own file.
    args: ["--no-sandbox", "--disable-gpu"]
  })
  folder = await mkdtemp(join(tmpdir(), "azcdn-report-"))
  await mkdir(artifacts, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await emulator?.close()
})

const report = (out: string, more: ReadonlyArray<string> = [], zone = "Asia/Shanghai") =>
  azcdn(
    [
      "traffic",
      "report",
      "--subscription",
      seed.subscriptionId,
      "--from",
      week.from,
      "--to",
      week.to,
      "--time-zone",
      zone,
      "--out",
      out,
      ...more
    ],
    { env: emulator.env }
  )

/** What the emulator answers for the week, read with the library: the numbers the report must show. */
const series = async () => {
  const cdn = createCdnClient({ baseUrl: emulator.url, keyId: testKey.id, keyValue: testKey.value })
  try {
    const range = { subscriptionId: seed.subscriptionId, startTime: week.from, endTime: week.to }
    const ids = [seed.endpointId, ...others]
    return await Promise.all(
      ids.map(async (endpointId) => ({
        volume: await cdn.getEndpointVolume({ ...range, endpointId, granularity: "PerHour" }),
        bandwidth: await cdn.getEndpointBandwidth({ ...range, endpointId })
      }))
    )
  } finally {
    await cdn.close()
  }
}

describe("azcdn traffic report", () => {
  it("one self-contained file: opened offline in Chromium, it fetches nothing, logs no error, draws every chart, and its summary is the emulator's series", async () => {
    const out = join(folder, "report.html")
    const result = await report(out)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(
      /^wrote .*report\.html \([\d.]+ KiB\): 3 endpoints, 2024-01-01 08:00 to 2024-01-08 08:00 Asia\/Shanghai\n$/
    )

    const html = await readFile(out, "utf8")
    // A week per hour for three endpoints, script and data inlined.
    expect((await stat(out)).size).toBeLessThan(1.5 * 1024 * 1024)
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).not.toMatch(/\s(src|href)=/i)

    const page = await browser.newPage()
    const requests: Array<string> = []
    const problems: Array<string> = []
    page.on("request", (request) => requests.push(request.url()))
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warn") problems.push(`${message.type()}: ${message.text()}`)
    })
    page.on("pageerror", (error) => problems.push(`page error: ${String(error)}`))
    await page.setOfflineMode(true)
    await page.setViewport({ width: 1200, height: 900 })
    await page.goto(pathToFileURL(out).href, { waitUntil: "load" })
    await page.waitForSelector("html[data-charts]")

    expect(problems).toEqual([])
    expect(requests).toEqual([pathToFileURL(out).href])

    // Two charts per endpoint, each with pixels drawn on its canvas (the series, not just a blank box).
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll("[data-chart] canvas")].map((element) => {
        const canvas = element as HTMLCanvasElement
        const pixels = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data ?? []
        let inked = 0
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) inked += 1
        return inked
      })
    )
    expect(await page.evaluate(() => document.documentElement.dataset.charts)).toBe("6")
    expect(drawn).toHaveLength(6)
    for (const inked of drawn) expect(inked).toBeGreaterThan(2000)

    const truth = await series()
    const total = truth.reduce((sum, endpoint) => sum + endpoint.volume.totalCdnVolumeInMB, 0)
    // The peak of the three endpoints' bandwidth added up per five minutes, and when it was.
    const together = new Map<string, number>()
    for (const { bandwidth } of truth) {
      for (const item of bandwidth.items) {
        together.set(item.timestamp, (together.get(item.timestamp) ?? 0) + item.bandwidthInMbps)
      }
    }
    const [peakAt, peakMbps] = [...together].reduce((best, next) => (next[1] > best[1] ? next : best))
    const shanghai = new Date(Date.parse(peakAt) + 8 * 3600_000).toISOString()
    const peakText = `${shanghai.slice(0, 10)} ${shanghai.slice(11, 16)} Asia/Shanghai`

    const shown = await page.evaluate(() => ({
      total: Number(document.querySelector("#total-volume")?.getAttribute("data-mb")),
      totalText: document.querySelector("#total-volume")?.firstChild?.textContent,
      peak: Number(document.querySelector("#peak-bandwidth [data-mbps]")?.getAttribute("data-mbps")),
      peakTime: document.querySelector("#peak-bandwidth time")?.textContent,
      days: [...document.querySelectorAll("#days tbody tr")].map((row) => ({
        day: row.firstElementChild?.textContent,
        total: Number(row.children[4]?.getAttribute("data-mb"))
      }))
    }))
    expect(shown.total).toBeCloseTo(total, 6)
    expect(shown.totalText).toMatch(/^[\d.]+ (GiB|TiB)$/)
    expect(shown.peak).toBeCloseTo(peakMbps, 6)
    expect(shown.peakTime).toBe(peakText)
    // Days in Shanghai: 08:00 on the 1st to 08:00 on the 8th touches eight of them; their volumes add up to the total.
    expect(shown.days.map((day) => day.day)).toEqual([
      "2024-01-01",
      "2024-01-02",
      "2024-01-03",
      "2024-01-04",
      "2024-01-05",
      "2024-01-06",
      "2024-01-07",
      "2024-01-08"
    ])
    expect(shown.days.reduce((sum, day) => sum + day.total, 0)).toBeCloseTo(total, 1)

    await page.screenshot({ path: join(artifacts, "traffic-report.png"), fullPage: true })
    // The first screen, as the README shows it (docs/traffic-report.png is a copy of one).
    await page.screenshot({ path: join(artifacts, "traffic-report-top.png") })
    await page.close()
  }, 60_000)

  it("--endpoint names the endpoints to report on; the rest are not asked for", async () => {
    const out = join(folder, "one.html")
    const result = await report(out, ["--endpoint", others[0] as string])
    expect(result.code, result.stderr).toBe(0)
    const html = await readFile(out, "utf8")
    expect(html).toContain("img0.example.cn")
    expect(html).not.toContain("img1.example.cn")
    expect(result.stderr).toContain(": 1 endpoint,")
  })

  it("--from after --to is exit 2: nothing written, nothing sent", async () => {
    const control = emulatorControl(emulator.url)
    const before = (await control.requests()).length
    const out = join(folder, "backwards.html")
    const result = await azcdn(
      ["traffic", "report", "--subscription", seed.subscriptionId, "--from", week.to, "--to", week.from, "--out", out],
      { env: emulator.env }
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      "azcdn: UsageError: --from (2024-01-08T00:00:00.000Z) must be before --to (2024-01-01T00:00:00.000Z)\n"
    )
    expect(existsSync(out)).toBe(false)
    expect((await control.requests()).length).toBe(before)
  })

  it("a zone that does not exist, or a folder that cannot take the file: exit 2 before anything is sent", async () => {
    const control = emulatorControl(emulator.url)
    const before = (await control.requests()).length
    const zone = await report(join(folder, "zone.html"), [], "Mars/Olympus")
    expect(zone.code).toBe(2)
    expect(zone.stderr).toContain('--time-zone: no time zone is named "Mars/Olympus"')
    const nowhere = await report(join(folder, "no-such-folder", "report.html"))
    expect(nowhere.code).toBe(2)
    expect(nowhere.stderr).toMatch(/--out .*no-such-folder.*ENOENT/)
    expect((await control.requests()).length).toBe(before)
  })

  it("a subscription the service does not know is exit 3, and no file is left behind", async () => {
    const out = join(folder, "unknown.html")
    const result = await azcdn(
      ["traffic", "report", "--subscription", "9d9d9d9d-1111-4222-8333-444455556666", "--out", out],
      { env: emulator.env }
    )
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^azcdn: SubscriptionNotFound/)
    expect(existsSync(out)).toBe(false)
  })
})
