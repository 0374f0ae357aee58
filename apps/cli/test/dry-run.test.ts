/**
 * `--dry-run` on every write: the write printed (method, path, body), never sent, exit 0; no key or private key shown.
 */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { makeCa } from "../../../packages/cdn-core/test/certificates.js"
import { azcdn, emulatorControl, seed, seedEndpoint, startEmulator } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>
let dir: string
const site = makeCa().valid("file.example.cn")

beforeAll(async () => {
  emulator = await startEmulator()
  control = emulatorControl(emulator.url)
  dir = await mkdtemp(join(tmpdir(), "azcdn-dry-run-"))
  await writeFile(join(dir, "rules.json"), JSON.stringify({ Rules: [{ Type: "Suffix", Items: ["png"], TTL: 60 }] }))
  await writeFile(join(dir, "access.json"), JSON.stringify({ ForbiddenIps: ["10.0.0.1"] }))
  await writeFile(join(dir, "cert.pem"), site.certificate)
  await writeFile(join(dir, "key.pem"), site.key)
})
afterAll(() => emulator.close())
beforeEach(() => control.reset())

const base = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}`
const sub = ["--subscription", seed.subscriptionId]

// Every write command, and the request line it would send.
const writes: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
  [["purge", "/a.png", ...seedEndpoint, "--wait"], `POST ${base}/purges?apiVersion=1.0`],
  [["preload", "--url", "http://file.example.cn/a.png", ...seedEndpoint], `POST ${base}/preloads?apiVersion=1.0`],
  [
    ["endpoint", "create", ...sub, "--domain", "new.example.cn", "--origin", "o.example.cn", "--icp", "ICP-1"],
    `POST /subscriptions/${seed.subscriptionId}/endpoints?apiVersion=1.0`
  ],
  [["endpoint", "update", ...seedEndpoint, "--host", "h.example.cn"], `PUT ${base}?apiVersion=1.0`],
  [["endpoint", "delete", ...seedEndpoint], `DELETE ${base}?apiVersion=1.0`],
  [["endpoint", "disable", ...seedEndpoint], `POST ${base}/disable?apiVersion=1.0`],
  [["endpoint", "enable", ...seedEndpoint], `POST ${base}/enable?apiVersion=1.0`],
  [["cache-rules", "set", ...seedEndpoint, "--from-file", "rules.json"], `PUT ${base}/cacherules?apiVersion=1.0`],
  [
    ["access-control", "set", ...seedEndpoint, "--from-file", "access.json"],
    `PUT ${base}/accesscontrol?apiVersion=1.0`
  ],
  [
    ["https", "upload", ...sub, "--cert", "cert.pem", "--key", "key.pem"],
    `POST /subscriptions/${seed.subscriptionId}/https/certificates?apiVersion=1.0`
  ],
  [
    ["https", "bind", ...seedEndpoint, "--certificate", "c-1"],
    `POST /subscriptions/${seed.subscriptionId}/https/bindings?apiVersion=1.0`
  ]
]

describe("--dry-run", () => {
  it.each(writes)("%j prints its write, sends no write, exit 0", async (args, line) => {
    const withFiles = args.map((arg) => (arg.endsWith(".json") || arg.endsWith(".pem") ? join(dir, arg) : arg))
    const result = await azcdn([...withFiles, "--dry-run"], { env: emulator.env })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.split("\n")[0]).toBe(line)
    expect(result.stderr).toContain("azcdn: dry run: nothing was sent")
    expect((await control.requests()).filter((request) => request.method !== "GET")).toEqual([])
    // Never the private key, nor anything of it.
    expect(result.stdout).not.toContain("PRIVATE KEY")
    expect(result.stdout).not.toContain(site.key.split("\n")[1])
  })

  it("-o json: {Method, Path, Body}, the private key not shown", async () => {
    const result = await azcdn(
      [
        "https",
        "upload",
        ...sub,
        "--cert",
        join(dir, "cert.pem"),
        "--key",
        join(dir, "key.pem"),
        "--dry-run",
        "-o",
        "json"
      ],
      { env: emulator.env }
    )
    expect(result.code).toBe(0)
    const printed = JSON.parse(result.stdout) as { Method: string; Path: string; Body: Record<string, unknown> }
    expect(printed.Method).toBe("POST")
    expect(JSON.stringify(printed.Body)).toContain("<not shown: a private key>")
    expect(JSON.stringify(printed.Body)).toContain("BEGIN CERTIFICATE")
  })

  it("bad input is still exit 2 before anything", async () => {
    const result = await azcdn(["purge", "/a/../b.png", ...seedEndpoint, "--dry-run"], { env: emulator.env })
    expect(result.code).toBe(2)
    expect(await control.requests()).toEqual([])
  })
})
