import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { makeCa } from "../../../packages/cdn-core/test/certificates.js"
import { azcdn, emulatorControl, lines, seed, seedEndpoint, startEmulator } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>
let dir: string
const ca = makeCa()
// The seed endpoint serves file.example.cn.
const site = ca.valid("file.example.cn")
const expired = ca.expired("file.example.cn")
const elsewhere = ca.valid("other.example.org")

beforeAll(async () => {
  emulator = await startEmulator({ taskDuration: "300 millis" })
  control = emulatorControl(emulator.url)
  dir = await mkdtemp(join(tmpdir(), "azcdn-https-"))
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})
beforeEach(() => control.reset())

const writes = async () => (await control.requests()).filter((entry) => entry.method !== "GET")
const file = async (name: string, content: string) => {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}
const fast = ["--interval", "100ms"]

describe("azcdn cache-rules and access-control", () => {
  it("get prints the service's JSON; set --from-file --yes --wait replaces it; get reads it back", async () => {
    const before = await azcdn(["cache-rules", "get", ...seedEndpoint], { env: emulator.env })
    expect(JSON.parse(before.stdout)).toEqual({
      Rules: [],
      IgnoreCacheControl: false,
      IgnoreQueryString: false,
      IgnoreCookie: false
    })
    const rules = await file(
      "rules.json",
      JSON.stringify({ Rules: [{ Type: "Suffix", Items: ["css", "js"], TTL: 3600 }], IgnoreQueryString: true })
    )
    const set = await azcdn(
      ["cache-rules", "set", ...seedEndpoint, "--from-file", rules, "--yes", "--wait", ...fast, "-o", "json"],
      {
        env: emulator.env
      }
    )
    expect(set.code).toBe(0)
    expect(JSON.parse(set.stdout).Status).toBe("Succeeded")
    // The change, shown before it was sent.
    expect(set.stderr).toContain('+       "Type": "Suffix"')
    const after = await azcdn(["cache-rules", "get", ...seedEndpoint], { env: emulator.env })
    expect(JSON.parse(after.stdout).Rules).toEqual([{ Type: "Suffix", Items: ["css", "js"], TTL: 3600 }])
    // -o table and -o tsv: views of the same document for people and scripts.
    const table = await azcdn(["cache-rules", "get", ...seedEndpoint, "-o", "table"], { env: emulator.env })
    expect(table.stdout).toMatch(/^IgnoreCacheControl\s+false$/m)
    expect(table.stdout).toMatch(/^Rules:\nTYPE\s+ITEMS\s+TTL\nSuffix\s+css, js\s+3600$/m)
    const tsvOut = await azcdn(["cache-rules", "get", ...seedEndpoint, "-o", "tsv"], { env: emulator.env })
    expect(tsvOut.stdout).toContain("Rules[0].Items\tcss, js\n")
  })

  it("set without --yes where nobody can answer, a rules file that is not valid, one that cannot be read: exit 2, nothing changed", async () => {
    const good = await file("good.json", JSON.stringify({ Rules: [{ Type: "Dir", Items: ["/a/"], TTL: 1 }] }))
    const bad = await file("bad.json", JSON.stringify({ Rules: [{ Type: "Suffix", Items: [".jpg"], TTL: 1 }] }))
    const notJson = await file("not.json", "{rules")
    for (const args of [
      ["cache-rules", "set", ...seedEndpoint, "--from-file", good],
      ["cache-rules", "set", ...seedEndpoint, "--from-file", bad, "--yes"],
      ["cache-rules", "set", ...seedEndpoint, "--from-file", notJson, "--yes"],
      ["cache-rules", "set", ...seedEndpoint, "--from-file", join(dir, "missing.json"), "--yes"],
      [
        "access-control",
        "set",
        ...seedEndpoint,
        "--from-file",
        await file("ips.json", JSON.stringify({ ForbiddenIps: ["1.2.3.999"] })),
        "--yes"
      ]
    ]) {
      const result = await azcdn(args, { env: emulator.env })
      expect(result.code, args.join(" ")).toBe(2)
      expect(lines(result.stderr).at(-1)).toMatch(/^azcdn: /)
    }
    expect(await writes()).toEqual([])
  })

  it("a document the service could not read exactly is refused before any request, a GET included, naming the field", async () => {
    for (const [command, content, says] of [
      [
        "cache-rules",
        JSON.stringify({ Rules: [{ Type: "Regex", Items: ["/a/"], TTL: 1 }] }),
        "Rules[0].Type: must be one of Dir, Suffix, FullUri"
      ],
      ["cache-rules", JSON.stringify({ Rules: [], IgnoreCookie: "yes" }), "IgnoreCookie: must be true or false"],
      ["cache-rules", JSON.stringify({ Rules: [], Extra: 1 }), "Extra: is not a key this call takes"],
      ["cache-rules", '{"Rules":[],"Rules":[]}', 'the key "Rules" is given twice'],
      [
        "access-control",
        JSON.stringify({ RefererControl: { Enabled: "true", RefererControlType: "Everything", Referers: [] } }),
        "RefererControl.RefererControlType: must be AllowList or BlockList"
      ],
      ["access-control", JSON.stringify({ forbiddenips: "1.2.3.4" }), "ForbiddenIps: must be a list"]
    ] as const) {
      const path = await file("invalid.json", content)
      const result = await azcdn([command, "set", ...seedEndpoint, "--from-file", path, "--yes"], { env: emulator.env })
      expect(result.code, content).toBe(2)
      expect(lines(result.stderr).at(-1)).toContain(says)
    }
    expect(await control.requests()).toEqual([])
  })

  it("access-control set --yes: forbidden IPs and referers, read back", async () => {
    const access = await file(
      "access.json",
      JSON.stringify({
        ForbiddenIps: ["10.0.0.1"],
        RefererControl: {
          Enabled: "true",
          RefererControlType: "AllowList",
          Referers: ["http://www.example.cn"],
          PathPatterns: []
        }
      })
    )
    expect(
      (await azcdn(["access-control", "set", ...seedEndpoint, "--from-file", access, "--yes"], { env: emulator.env }))
        .code
    ).toBe(0)
    const read = JSON.parse((await azcdn(["access-control", "get", ...seedEndpoint], { env: emulator.env })).stdout)
    expect(read.ForbiddenIps).toEqual(["10.0.0.1"])
    expect(read.RefererControl).toMatchObject({ Enabled: true, RefererControlType: "AllowList" })
  })
})

describe("azcdn traffic volume of a whole subscription", () => {
  it("without --endpoint: one series per domain (TSV lines start with the domain)", async () => {
    const result = await azcdn(
      [
        "traffic",
        "volume",
        "--subscription",
        seed.subscriptionId,
        "--from",
        "2024-01-01T00:00:00Z",
        "--to",
        "2024-01-01T03:00:00Z",
        "-o",
        "tsv"
      ],
      { env: emulator.env }
    )
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toHaveLength(3)
    expect(lines(result.stdout)[0]).toMatch(/^file\.example\.cn\t2024-01-01T00:00:00Z\t[\d.]+\t[\d.]+$/)
  })
})

describe("azcdn https", () => {
  it("renew --certbot: reads RENEWED_LINEAGE, uploads, binds every covered endpoint, waits, reports (exit 0)", async () => {
    const lineage = join(dir, "live", "file.example.cn")
    await mkdir(lineage, { recursive: true })
    await writeFile(join(lineage, "fullchain.pem"), site.certificate)
    await writeFile(join(lineage, "privkey.pem"), site.key)
    const result = await azcdn(
      ["https", "renew", "--certbot", "--subscription", seed.subscriptionId, ...fast, "-o", "tsv"],
      {
        env: { ...emulator.env, RENEWED_LINEAGE: lineage, RENEWED_DOMAINS: "file.example.cn" }
      }
    )
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^${seed.endpointId}\\tfile\\.example\\.cn\\tSucceeded\\t[0-9a-f-]{36}$`))
    ])
    expect(result.stdout + result.stderr).not.toContain(site.key.slice(40, 80))
    expect((await writes()).map((entry) => entry.path.split("/").at(-1))).toEqual(["certificates", "bindings"])
  })

  it("upload, then bind --wait: the certificate's id, then the binding's end", async () => {
    const cert = await file("site.pem", site.certificate)
    const key = await file("site.key", site.key)
    const uploaded = await azcdn(
      ["https", "upload", "--subscription", seed.subscriptionId, "--cert", cert, "--key", key, "-o", "json"],
      {
        env: emulator.env
      }
    )
    expect(uploaded.code).toBe(0)
    const id = JSON.parse(uploaded.stdout).CertificateId as string
    const bound = await azcdn(
      [
        "https",
        "bind",
        "--subscription",
        seed.subscriptionId,
        "--certificate",
        id,
        "--endpoint",
        seed.endpointId,
        "--wait",
        ...fast
      ],
      {
        env: emulator.env
      }
    )
    expect(bound.code).toBe(0)
    expect(bound.stdout).toMatch(/Succeeded/)
  })

  it("an expired certificate, a key of another certificate, a domain not covered: one line, exit 2, nothing sent", async () => {
    const cases = [
      [await file("old.pem", expired.certificate), await file("old.key", expired.key), "expired"],
      [await file("site2.pem", site.certificate), await file("other.key", elsewhere.key), "does not belong"],
      [await file("elsewhere.pem", elsewhere.certificate), await file("elsewhere.key", elsewhere.key), "does not cover"]
    ] as const
    for (const [cert, key, says] of cases) {
      const result = await azcdn(["https", "renew", ...seedEndpoint, "--cert", cert, "--key", key], {
        env: emulator.env
      })
      expect(result.code, says).toBe(2)
      expect(lines(result.stderr)).toEqual([expect.stringContaining(says)])
    }
    expect(await writes()).toEqual([])
  })

  it("a binding that fails: the report says so, exit 4", async () => {
    await control.setFailures({ Bindings: true })
    const result = await azcdn(
      [
        "https",
        "renew",
        ...seedEndpoint,
        "--cert",
        await file("s.pem", site.certificate),
        "--key",
        await file("s.key", site.key),
        "--wait",
        ...fast,
        "-o",
        "tsv"
      ],
      { env: emulator.env }
    )
    expect(result.code).toBe(4)
    expect(result.stdout).toContain("\tFailed\t")
  })
})
