import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { CdnApi, CdnClient, Endpoints } from "../src/index.js"

const endpoint = (id: string, domain: string, allowedScheme?: string) =>
  Schema.decodeUnknownSync(Endpoints.Endpoint)({
    EndpointId: id,
    Settings: { CustomDomain: domain, Origin: { Addresses: ["o.example.cn"] }, AllowedScheme: allowedScheme },
    Status: { Enabled: true, LifetimeStatus: "Normal" }
  })

const exact = endpoint("46fecf3c-e874-49aa-891d-0d4dc93213e0", "img.example.cn", "Https")
const wildcard = endpoint("0b7a9c52-6d1e-4f3a-9b8c-1d2e3f4a5b6c", "*.example.cn")

describe("the endpoint that serves a host", () => {
  it("its custom domain in any case first, then a wildcard covering exactly one label", () => {
    const both = [wildcard, exact]
    expect(Endpoints.servingHost(both, "IMG.example.cn.")?.endpointId).toBe(exact.endpointId)
    expect(Endpoints.servingHost(both, "css.example.cn")?.endpointId).toBe(wildcard.endpointId)
    expect(Endpoints.servingHost(both, "a.b.example.cn")).toBeUndefined()
    expect(Endpoints.servingHost(both, "example.cn")).toBeUndefined()
  })

  it("its URLs' scheme: https only when it serves https only", () => {
    expect(Endpoints.schemeOf(exact)).toBe("https")
    expect(Endpoints.schemeOf(wildcard)).toBe("http")
  })
})

describe("checkInput", () => {
  it("refuses as the client would, naming the field, without sending anything", () => {
    const ids = { subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9", endpointId: exact.endpointId }
    const checked = CdnClient.checkInput(CdnApi.calls.purge, { ...ids, files: ["http://img.example.cn/a/../b.png"] })
    expect(Either.isLeft(checked) && checked.left.message).toMatch(/^files\[0\]: .*'\.\.'/)
    expect(
      Either.isRight(CdnClient.checkInput(CdnApi.calls.purge, { ...ids, files: ["http://img.example.cn/a.png"] }))
    ).toBe(true)
  })
})
