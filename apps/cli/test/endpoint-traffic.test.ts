import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, lines, seed, seedEndpoint, startEmulator } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>

beforeAll(async () => {
  emulator = await startEmulator({ taskDuration: "500 millis", endpointCreateDuration: "500 millis" })
  control = emulatorControl(emulator.url)
})
afterAll(() => emulator.close())
beforeEach(() => control.reset())

const sub = ["--subscription", seed.subscriptionId]
const fast = ["--interval", "200ms"]

describe("azcdn endpoint", () => {
  it("list: a table, TSV or the live JSON", async () => {
    const table = await azcdn(["endpoint", "list", ...sub, "-o", "table"], { env: emulator.env })
    expect(table.code).toBe(0)
    expect(lines(table.stdout)[0]).toMatch(/^ENDPOINT\s+DOMAIN\s+STATE\s+LIFETIME/)
    expect(table.stdout).toContain("file.example.cn")
    const json = await azcdn(["endpoint", "list", ...sub, "-o", "json"], { env: emulator.env })
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ EndpointId: seed.endpointId })])
  })

  it("create, show, update --wait, disable --wait, enable --wait, delete --yes --wait", async () => {
    const created = await azcdn(
      [
        "endpoint",
        "create",
        ...sub,
        "--domain",
        "img.example.cn",
        "--origin",
        "origin.example.cn",
        "--icp",
        "京ICP备1号",
        "-o",
        "json"
      ],
      { env: emulator.env }
    )
    expect(created.code).toBe(0)
    const id = JSON.parse(created.stdout).EndpointId as string
    expect(created.stderr).toContain("img.example.cn.mschcdn.com")
    await new Promise((resolve) => setTimeout(resolve, 600))
    const ref = [...sub, "--endpoint", id]
    const shown = await azcdn(["endpoint", "show", ...ref, "-o", "table"], { env: emulator.env })
    expect(shown.stdout).toMatch(/LifetimeStatus\s+Normal/)
    for (const change of [["update", "--origin", "new.example.cn"], ["disable"], ["enable"], ["delete", "--yes"]]) {
      const result = await azcdn(["endpoint", ...change, ...ref, "--wait", ...fast, "-o", "json"], {
        env: emulator.env
      })
      expect(result.code, change.join(" ")).toBe(0)
      expect(JSON.parse(result.stdout).Status).toBe("Succeeded")
    }
    const gone = await azcdn(["endpoint", "list", ...sub, "-o", "tsv"], { env: emulator.env })
    expect(gone.stdout).not.toContain(id)
  })

  it("delete without --yes where nobody can answer: exit 2, nothing sent", async () => {
    const result = await azcdn(["endpoint", "delete", ...seedEndpoint], { env: emulator.env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--yes")
    expect(await control.requests()).toEqual([])
  })

  it("a change refused by the service (a disabled endpoint cannot be updated): exit 1; unknown: exit 3", async () => {
    await control.putEndpoint({ SubscriptionId: seed.subscriptionId, EndpointId: seed.endpointId, State: "Stopped" })
    const refused = await azcdn(["endpoint", "update", ...seedEndpoint, "--host", "h.example.cn"], {
      env: emulator.env
    })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("EndpointNotInActiveState")
    const unknown = await azcdn(["endpoint", "show", ...sub, "--endpoint", "66666666-7777-4888-9999-aaaaaaaaaaaa"], {
      env: emulator.env
    })
    expect(unknown.code).toBe(3)
  })

  it("bad input: exit 2, nothing sent", async () => {
    for (const args of [
      ["endpoint", "create", ...sub, "--domain", "not a domain", "--origin", "o.example.cn", "--icp", "x"],
      ["endpoint", "update", ...seedEndpoint],
      ["endpoint", "show", "--subscription", "nope", "--endpoint", seed.endpointId]
    ]) {
      const result = await azcdn(args, { env: emulator.env })
      expect(result.code, args.join(" ")).toBe(2)
    }
    expect(await control.requests()).toEqual([])
  })
})

describe("azcdn traffic", () => {
  const day = ["--from", "2024-01-01T00:00:00Z", "--to", "2024-01-02T00:00:00Z"]

  it("volume per hour: a table with totals in human units, TSV, or the service's JSON", async () => {
    const table = await azcdn(["traffic", "volume", ...seedEndpoint, ...day, "-o", "table"], { env: emulator.env })
    expect(table.code).toBe(0)
    expect(lines(table.stdout)[0]).toMatch(
      /^file\.example\.cn: [\d.]+ [KMGT]iB from the CDN, [\d.]+ [KMGT]iB from the origin$/
    )
    expect(lines(table.stdout)).toHaveLength(2 + 24)
    const tsv = await azcdn(["traffic", "volume", ...seedEndpoint, ...day, "--granularity", "PerDay", "-o", "tsv"], {
      env: emulator.env
    })
    expect(lines(tsv.stdout)).toEqual([
      expect.stringMatching(/^2023-12-31T16:00:00Z\t[\d.]+\t[\d.]+$/),
      expect.any(String)
    ])
    const json = await azcdn(["traffic", "volume", ...seedEndpoint, ...day, "-o", "json"], { env: emulator.env })
    expect(JSON.parse(json.stdout)).toMatchObject({ DomainName: "file.example.cn", Items: expect.any(Array) })
  })

  it("bandwidth: peak and valley in Mbps, every query parameter signed", async () => {
    const result = await azcdn(["traffic", "bandwidth", ...seedEndpoint, ...day, "-o", "table"], { env: emulator.env })
    expect(result.code).toBe(0)
    expect(lines(result.stdout)[0]).toMatch(/peak [\d.]+ [kMG]bps, valley [\d.]+ [kMG]bps/)
    const [logged] = await control.requests()
    expect(logged).toMatchObject({ path: expect.stringMatching(/\/bandwidth$/), signatureValid: true })
  })

  it("on a terminal the table ends with a one-line sparkline", async () => {
    const { execFileSync } = await import("node:child_process")
    const { bin } = await import("./support.js")
    const command = `stty cols 120; ${[bin, "traffic", "volume", ...seedEndpoint, ...day, "--emulator"].join(" ")}`
    // `script` gives the command a terminal.
    const out = execFileSync("script", ["-qec", command, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, COLUMNS: "80" }
    })
    const last = lines(out.replace(/\r/g, "")).at(-1) ?? ""
    expect(last).toMatch(/^[▁▂▃▄▅▆▇█]{24}$/)
  })

  it("--from after --to, a range over 60 days, a time without a zone: exit 2, nothing sent", async () => {
    for (const range of [
      ["--from", "2024-01-02T00:00:00Z", "--to", "2024-01-01T00:00:00Z"],
      ["--from", "2024-01-01T00:00:00Z", "--to", "2024-04-01T00:00:00Z"],
      ["--from", "2024-01-01T00:00:00", "--to", "now"]
    ]) {
      const result = await azcdn(["traffic", "volume", ...seedEndpoint, ...range], { env: emulator.env })
      expect(result.code, range.join(" ")).toBe(2)
      expect(lines(result.stderr)).toHaveLength(1)
    }
    expect(await control.requests()).toEqual([])
  })
})
