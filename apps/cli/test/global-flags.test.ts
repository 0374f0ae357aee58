import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { azcdn, emulatorControl, seed, startEmulator } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.close())

const sub = ["--subscription", seed.subscriptionId]

describe("global flags anywhere", () => {
  it("before the command, between its words, or after it: the same answer", async () => {
    const lines = [
      ["-o", "tsv", "endpoint", "list", ...sub],
      ["endpoint", "-o", "tsv", "list", ...sub],
      ["endpoint", "list", ...sub, "-o", "tsv"],
      ["--output=tsv", "--verbose", "endpoint", "list", ...sub]
    ]
    const results = await Promise.all(lines.map((args) => azcdn(args, { env: emulator.env })))
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toBe(results[0]?.stdout)
    }
    expect(results[0]?.stdout).toMatch(/^46fecf3c-e874-49aa-891d-0d4dc93213e0\tfile\.example\.cn\t/)
    // --verbose took effect where it was written, before the command.
    expect(results[3]?.stderr).toMatch(/\[debug\] GET \/subscriptions\/.*\/endpoints -> 200/)
  })

  it("a flag value that is a command word stays a value", async () => {
    const result = await azcdn(["--profile", "list", "endpoint", "list", ...sub], {
      env: { ...emulator.env, AZCDN_CONFIG: "/nonexistent/config.json" }
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("no profile list")
  })
})

describe("-o yaml and --query", () => {
  it("-o yaml is the json output as YAML", async () => {
    const [yaml, json] = await Promise.all([
      azcdn(["endpoint", "list", ...sub, "-o", "yaml"], { env: emulator.env }),
      azcdn(["endpoint", "list", ...sub, "-o", "json"], { env: emulator.env })
    ])
    expect(yaml.code).toBe(0)
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout))
    expect(yaml.stdout).toMatch(/^- EndpointId: 46fecf3c/)
  })

  it("--query applies JMESPath to the json (json unless yaml is asked), or to the yaml", async () => {
    const query = "[?Status.Enabled].Settings.CustomDomain"
    const json = await azcdn(["--query", query, "endpoint", "list", ...sub], { env: emulator.env })
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual(["file.example.cn"])
    const yaml = await azcdn(["endpoint", "list", ...sub, "--query", "[0].EndpointId", "-o", "yaml"], {
      env: emulator.env
    })
    expect(yaml.stdout).toBe(`${seed.endpointId}\n`)
  })

  it("a query that does not parse, or one with -o table: exit 2 before anything is sent", async () => {
    const control = emulatorControl(emulator.url)
    const before = (await control.requests()).length
    const broken = await azcdn(["endpoint", "list", ...sub, "--query", "[?"], { env: emulator.env })
    expect(broken.code).toBe(2)
    expect(broken.stderr).toMatch(/^azcdn: UsageError: --query: /)
    const table = await azcdn(["endpoint", "list", ...sub, "--query", "[0]", "-o", "table"], { env: emulator.env })
    expect(table.code).toBe(2)
    expect(table.stderr).toBe("azcdn: UsageError: --query applies to json or yaml output, not -o table\n")
    expect((await control.requests()).length).toBe(before)
  })
})
