import { cp, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { azcdn, getSeed, lines } from "./support.js"

const dist = fileURLToPath(new URL("../dist", import.meta.url))
let copy: string

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), "azcdn-launcher-"))
  await cp(dist, copy, { recursive: true })
})
afterAll(() => rm(copy, { recursive: true, force: true }))

describe("the azcdn launcher", () => {
  it("starts from the snapshot, from the bundle with AZCDN_NO_SNAPSHOT=1, and both answer alike", async () => {
    const fromSnapshot = await azcdn(getSeed("--emulator", "-o", "json"))
    const fromBundle = await azcdn(getSeed("--emulator", "-o", "json"), { env: { AZCDN_NO_SNAPSHOT: "1" } })
    expect(fromSnapshot.code).toBe(0)
    expect(fromSnapshot.stdout).toBe(fromBundle.stdout)
    expect((await azcdn(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it("a snapshot built by another Node is not used: the bundle runs instead", async () => {
    await writeFile(join(copy, "azcdn.blob.node"), "/opt/another/node\n")
    const { execFileSync } = await import("node:child_process")
    const out = execFileSync(join(copy, "azcdn"), getSeed("--emulator", "-o", "tsv"), { encoding: "utf8" })
    expect(lines(out)).toHaveLength(1)
    expect(out).toContain("Succeeded")
  })
})
