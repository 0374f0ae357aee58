import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))

// Proves that @org/cdn-core/promise resolves through the built exports map and works without Effect in the caller.
describe("purge with the Promise facade", () => {
  it("purges, waits, prints per-item results, and reports a bad URL by its field", () => {
    const out = execFileSync(process.execPath, [main], { encoding: "utf8", timeout: 30_000 })
    expect(out).toMatch(/^purge [0-9a-f-]{36}: Succeeded$/m)
    expect(out).toContain("Succeed\thttp://file.example.cn/pictures/city.png")
    expect(out).toContain("Succeed\thttp://file.example.cn/styles/")
    expect(out).toMatch(/^refused: InvalidInput \(files\): files\[0\]: must be an absolute http\(s\) URL/m)
  })
})
