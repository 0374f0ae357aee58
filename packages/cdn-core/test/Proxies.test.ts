import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { CdnClient, CdnConfig, Proxies, Version } from "../src/index.js"
import { accepted, fake, run, value } from "./fakeHttp.js"

const proxyOf = (url: string, env: Record<string, string>) => Proxies.proxyFor(url, env)?.href

describe("Proxies: HTTP_PROXY, HTTPS_PROXY and NO_PROXY, as enterprise networks set them", () => {
  it("an https URL goes through HTTPS_PROXY, an http one through HTTP_PROXY; upper or lower case", () => {
    expect(proxyOf("https://restapi.cdn.azure.cn/x", { HTTPS_PROXY: "http://proxy.corp:3128" })).toBe(
      "http://proxy.corp:3128/"
    )
    expect(proxyOf("https://restapi.cdn.azure.cn/x", { https_proxy: "http://p:1" })).toBe("http://p:1/")
    expect(proxyOf("http://cdn.example.cn/x", { HTTP_PROXY: "p.corp:8080" })).toBe("http://p.corp:8080/")
    // Each scheme has its own variable.
    expect(proxyOf("https://restapi.cdn.azure.cn/x", { HTTP_PROXY: "http://p:1" })).toBeUndefined()
    // Lower case first, as curl reads them.
    expect(proxyOf("http://a.cn/", { http_proxy: "http://lower:1", HTTP_PROXY: "http://upper:1" })).toBe(
      "http://lower:1/"
    )
  })

  it("NO_PROXY: a host, its subdomains, a .suffix, a port, *; loopback and .invalid never go through a proxy", () => {
    const env = { HTTPS_PROXY: "http://p:1", NO_PROXY: "internal.corp, .azure.cn,example.cn:8443" }
    expect(proxyOf("https://internal.corp/", env)).toBeUndefined()
    expect(proxyOf("https://api.internal.corp/", env)).toBeUndefined()
    expect(proxyOf("https://restapi.cdn.azure.cn/", env)).toBeUndefined()
    expect(proxyOf("https://example.cn:8443/", env)).toBeUndefined()
    expect(proxyOf("https://example.cn/", env)).toBe("http://p:1/")
    expect(proxyOf("https://notinternal.corp/", env)).toBe("http://p:1/")
    expect(proxyOf("https://a.cn/", { HTTPS_PROXY: "http://p:1", no_proxy: "*" })).toBeUndefined()
    for (const local of [
      "https://localhost:8787/",
      "https://127.0.0.1/",
      "https://[::1]/",
      "http://embedded-emulator.invalid/"
    ]) {
      expect(proxyOf(local, { HTTPS_PROXY: "http://p:1", HTTP_PROXY: "http://p:1" })).toBeUndefined()
    }
  })

  it("a proxy is shown by its host alone, never its password", () => {
    expect(Proxies.shown(new URL("http://user:secret@proxy.corp:3128"))).toBe("http://proxy.corp:3128")
  })
})

describe("User-Agent: who sends every request", () => {
  it("the version is package.json's", () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    expect(Version.version).toBe(version)
  })

  it.effect("cdn-core/<version>, then the caller's product from userAgent; a header-breaking one is refused", () =>
    Effect.gen(function* () {
      const { sent, layer } = fake([accepted], { userAgent: "myapp/1.2 (+https://example.cn)" })
      const call = Effect.flatMap(CdnClient.CdnClient, (c) =>
        c.enableEndpoint({
          subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
          endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0"
        })
      )
      value(yield* run(call, layer))
      expect(sent[0]?.headers["user-agent"]).toBe(`cdn-core/${Version.version} myapp/1.2 (+https://example.cn)`)
      expect(CdnConfig.userAgent({ before: "azcdn/1.0.0", after: "node/20.0.0" })).toBe(
        `azcdn/1.0.0 cdn-core/${Version.version} node/20.0.0`
      )
      const bad = CdnConfig.make({ keyId: "k", keyValue: "v", userAgent: "x\r\nX-Injected: 1" })
      expect(Either.isLeft(bad) && CdnConfig.describeConfigError(bad.left)).toMatch(
        /^userAgent: must be printable ASCII/
      )
    })
  )
})
