import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))

// Proves that the built @org/cdn-core and @org/cdn-emulator resolve through their exports maps and run under Node.
describe("the quick start", () => {
  it("prints the seed operation from a verified, signed round trip", () => {
    const out = execFileSync(process.execPath, [main], { encoding: "utf8", timeout: 20_000 })
    expect(out).toMatch(/signature verified/)
    expect(out).toMatch(/correlation id: [0-9a-f-]{36}/)
    const json = JSON.parse(out.slice(out.indexOf("{")))
    expect(json).toEqual({
      Id: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31",
      Type: "Purge",
      Status: "Succeeded",
      Message: null,
      Start: "2017-05-02T06:34:07.869Z",
      End: "2017-05-02T06:44:07.869Z",
      EndpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
      SubscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9"
    })
  })
})
