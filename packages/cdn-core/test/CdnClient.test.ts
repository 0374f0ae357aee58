/**
 * Every call of CdnClient against a fake HttpClient: what goes on the wire (method, path, query, body, signature)
 * and how each published spelling of the answer reads.
 */
import { createHmac } from "node:crypto"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { CdnApi, CdnClient, CdnConfig, Signer, Transport } from "../src/index.js"
import { makeCa } from "./certificates.js"
import { accepted, failure, fake, fakeHttp, ok, type Reply, run, type Sent, value } from "./fakeHttp.js"

// Valid on the tests' clock (2024-01-02), which the client checks the certificate against.
const pair = makeCa().validAt("cdn.example.cn", new Date("2024-01-02T03:04:05Z"))

const s = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const e = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const op = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
const ids = { subscriptionId: s.toUpperCase(), endpointId: e.toUpperCase() }
const base = `/subscriptions/${s}/endpoints/${e}`

/** The signature the documented rule gives, computed here without cdn-core's signer. */
const expectedAuthorization = (sent: Sent): string => {
  const pairs = [...new URLSearchParams(sent.search)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const query = pairs.map(([name, value]) => `${name}:${value}`).join(", ")
  const text = [sent.path, query, sent.headers["x-azurecdn-request-date"], sent.method].join("\r\n")
  return `AzureCDN key-id-1:${createHmac("sha256", "secret-value").update(text).digest("hex").toUpperCase()}`
}

describe("CdnClient: every call on the wire", () => {
  const cases: ReadonlyArray<{
    readonly name: CdnApi.CallName
    readonly input: unknown
    readonly reply: Reply
    readonly method: string
    readonly path: string
    readonly query?: Record<string, string>
    readonly body?: unknown
  }> = [
    { name: "listEndpoints", input: ids, reply: ok([]), method: "GET", path: `/subscriptions/${s}/endpoints` },
    {
      name: "createEndpoint",
      input: {
        subscriptionId: s,
        customDomain: "img.example.cn",
        icp: "京ICP备16013159号",
        originAddresses: ["origin.example.cn"],
        serviceType: "Web"
      },
      reply: ok(
        {
          EndpointId: e,
          Settings: { CustomDomain: "img.example.cn", Origin: { Addresses: ["origin.example.cn"] } },
          Status: { Enabled: false, LifetimeStatus: "Creating" }
        },
        202
      ),
      method: "POST",
      path: `/subscriptions/${s}/endpoints`,
      body: {
        CustomDomain: "img.example.cn",
        Host: "img.example.cn",
        ICP: "京ICP备16013159号",
        Origin: { Addresses: ["origin.example.cn"] },
        ServiceType: "Web"
      }
    },
    {
      name: "getEndpoint",
      input: ids,
      reply: ok({
        EndpointId: e,
        Settings: { CustomDomain: "a.example.cn", Origin: { Addresses: [] } },
        Status: { Enabled: true, LifetimeStatus: "Normal" }
      }),
      method: "GET",
      path: base
    },
    {
      name: "updateEndpoint",
      input: { ...ids, host: "h.example.cn" },
      reply: accepted,
      method: "PUT",
      path: base,
      body: { EndpointSettings: { Host: "h.example.cn" }, UpdateFlag: "HostHeader" }
    },
    { name: "deleteEndpoint", input: ids, reply: accepted, method: "DELETE", path: base },
    { name: "enableEndpoint", input: ids, reply: accepted, method: "POST", path: `${base}/enable` },
    { name: "disableEndpoint", input: ids, reply: accepted, method: "POST", path: `${base}/disable` },
    {
      name: "purge",
      input: { ...ids, files: ["http://a.example.cn/x.png"] },
      reply: accepted,
      method: "POST",
      path: `${base}/purges`,
      body: { Files: ["http://a.example.cn/x.png"] }
    },
    {
      name: "getPurge",
      input: { ...ids, purgeId: op },
      reply: ok({ Files: [], Directories: [] }),
      method: "GET",
      path: `${base}/purges/${op}`
    },
    {
      name: "preload",
      input: { ...ids, files: ["http://a.example.cn/x.png"] },
      reply: accepted,
      method: "POST",
      path: `${base}/preloads`,
      body: { Files: ["http://a.example.cn/x.png"] }
    },
    {
      name: "getPreload",
      input: { ...ids, preloadId: op },
      reply: ok({ Files: [] }),
      method: "GET",
      path: `${base}/preloads/${op}`
    },
    {
      name: "getOperation",
      input: { ...ids, operationId: op },
      reply: ok({
        Id: op,
        Type: "Purge",
        Status: "Processing",
        Start: "2024-01-02T03:00:00Z",
        EndpointId: e,
        SubscriptionId: s
      }),
      method: "GET",
      path: `${base}/operations/${op}`
    },
    {
      name: "getEndpointVolume",
      input: { ...ids, granularity: "PerHour", startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" },
      reply: ok({ DomainName: "a.example.cn", Items: [], TotalCdnVolumeInMB: 0, TotalOriginVolumeInMB: 0 }),
      method: "GET",
      path: `${base}/volume`,
      query: { granularity: "PerHour", startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" }
    },
    {
      name: "getEndpointBandwidth",
      input: { ...ids, startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" },
      reply: ok({
        DomainName: "a.example.cn",
        Items: [],
        PeakBandwidthInMbps: 0,
        ValleyBandwidthInMbps: 0,
        PeakOriginBandwidthInMbps: 0,
        ValleyOriginBandwidthInMbps: 0
      }),
      method: "GET",
      path: `${base}/bandwidth`,
      query: { startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" }
    },
    {
      name: "getSubscriptionVolume",
      input: {
        subscriptionId: s,
        granularity: "PerDay",
        startTime: "2024-01-01T00:00:00Z",
        endTime: "2024-01-02T00:00:00Z"
      },
      reply: ok({
        Details: {
          "a.example.cn": { DomainName: "a.example.cn", Items: [], TotalCdnVolumeInMB: 0, TotalOriginVolumeInMB: 0 }
        },
        TotalCdnVolumeInMB: "1.5",
        TotalOriginVolumeInMB: 0
      }),
      method: "GET",
      path: `/subscriptions/${s}/volume`,
      query: { granularity: "PerDay", startTime: "2024-01-01T00:00:00Z", endTime: "2024-01-02T00:00:00Z" }
    },
    {
      name: "getCacheRules",
      input: ids,
      reply: ok({
        Rules: [{ Type: "Dir", Items: ["/a/"], TTL: "86400" }],
        IgnoreCacheControl: "false",
        IgnoreQueryString: false,
        IgnoreCookie: false
      }),
      method: "GET",
      path: `${base}/cacherules`
    },
    {
      name: "setCacheRules",
      input: { ...ids, rules: [{ type: "Suffix", items: ["jpg", "png"], ttl: 3600 }], ignoreQueryString: true },
      reply: accepted,
      method: "PUT",
      path: `${base}/cacherules`,
      body: {
        Rules: [{ Type: "Suffix", Items: ["jpg", "png"], TTL: 3600 }],
        IgnoreCacheControl: false,
        IgnoreQueryString: true,
        IgnoreCookie: false
      }
    },
    {
      name: "getAccessControl",
      input: ids,
      reply: ok({
        ForbiddenIps: ["1.2.3.4"],
        RefererControl: { Enabled: "true", RefererControlType: "AllowedList", Referers: [], PathPatterns: [] }
      }),
      method: "GET",
      path: `${base}/accesscontrol`
    },
    {
      name: "setAccessControl",
      input: {
        ...ids,
        forbiddenIps: ["10.0.0.1", "2001:db8::1"],
        refererControl: { enabled: true, type: "AllowList", referers: ["http://www.abc.com"] }
      },
      reply: accepted,
      method: "PUT",
      path: `${base}/accesscontrol`,
      body: {
        ForbiddenIps: ["10.0.0.1", "2001:db8::1"],
        RefererControl: {
          Enabled: "true",
          PathPatterns: [],
          Referers: ["http://www.abc.com"],
          RefererControlType: "AllowList"
        }
      }
    },
    {
      name: "uploadCertificate",
      input: { subscriptionId: s, certificate: pair.certificate, privateKey: pair.key, name: "cdn-2025" },
      reply: ok({ CertificateId: "c1", CertificateName: "cdn-2025", SubscriptionId: s }),
      method: "POST",
      path: `/subscriptions/${s}/https/certificates`,
      body: { CertificateName: "cdn-2025", PublicCertificate: pair.certificate, PrivateKey: pair.key, Format: "Pem" }
    },
    {
      name: "bindCertificate",
      input: { ...ids, certificateId: "c1", originProtocol: "FollowRequest", autoHttpsRedirect: true },
      reply: accepted,
      method: "POST",
      path: `/subscriptions/${s}/https/bindings`,
      body: { CertificateId: "c1", EndpointId: e, OriginProtocol: "FollowRequest", AutoHttpsRedirect: true }
    }
  ]

  it("covers every call of CdnApi", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(CdnApi.calls).sort())
  })

  for (const c of cases) {
    it.effect(`${c.name}: ${c.method} ${c.path.replace(s, "{s}").replace(e, "{e}")}, signed by the rule`, () =>
      Effect.gen(function* () {
        const { sent, layer } = fake([c.reply])
        const client = Effect.flatMap(CdnClient.CdnClient, (cdn) =>
          (cdn[c.name] as (input: unknown) => Effect.Effect<unknown, unknown>)(c.input)
        )
        value(yield* run(client, layer))
        expect(sent).toHaveLength(1)
        const [request] = sent as [Sent]
        expect(request.method).toBe(c.method)
        expect(request.path).toBe(c.path)
        expect(Object.fromEntries(new URLSearchParams(request.search))).toEqual({ apiVersion: "1.0", ...c.query })
        expect(request.headers["x-azurecdn-request-date"]).toBe("2024-01-02 03:04:05")
        expect(request.headers.authorization).toBe(expectedAuthorization(request))
        if (c.body === undefined) {
          expect(request.body).toBeUndefined()
        } else {
          expect(request.headers["content-type"]).toBe("application/json")
          expect(JSON.parse(request.body as string)).toEqual(c.body)
        }
      })
    )
  }
})

describe("CdnClient: both published spellings of an answer", () => {
  it.effect('an endpoint in the documented shape: EndpointID, Setting, Enabled as "true", keys in any case', () =>
    Effect.gen(function* () {
      const documented = {
        EndpointID: e.toUpperCase(),
        Setting: {
          customDomain: "a.example.cn",
          ORIGIN: { Addresses: ["o.example.cn"] },
          ServiceType: "Web"
        },
        Status: { Enabled: "true", IcpVerifyStatus: "IcpVerified", LifetimeStatus: "Normal", CNameConfigured: "False" }
      }
      const { layer } = fake([ok([documented])])
      const [endpoint] = value(
        yield* run(
          Effect.flatMap(CdnClient.CdnClient, (c) => c.listEndpoints(ids)),
          layer
        )
      )
      expect(endpoint?.endpointId).toBe(e)
      expect(endpoint?.settings.customDomain).toBe("a.example.cn")
      expect(endpoint?.settings.origin.addresses).toEqual(["o.example.cn"])
      expect(endpoint?.status).toMatchObject({ enabled: true, cnameConfigured: false, lifetimeStatus: "Normal" })
    })
  )

  it.effect("traffic numbers as JSON strings; an undocumented item status is kept", () =>
    Effect.gen(function* () {
      const { layer } = fake([
        ok({
          DomainName: "a",
          Items: [{ Timestamp: "t", VolumeInMB: "12.5", OriginVolumeInMB: "1" }],
          TotalCdnVolumeInMB: "12.5",
          TotalOriginVolumeInMB: "1"
        }),
        ok({
          Files: [
            { Url: "http://a/x", Status: "Queued" },
            { Url: "http://a/y", Status: "Succeed" }
          ]
        })
      ])
      const both = Effect.flatMap(CdnClient.CdnClient, (c) =>
        Effect.all([
          c.getEndpointVolume({
            ...ids,
            granularity: "PerDay",
            startTime: "2024-01-01T00:00:00Z",
            endTime: "2024-01-02T00:00:00Z"
          }),
          c.getPreload({ ...ids, preloadId: op })
        ])
      )
      const [volume, preload] = value(yield* run(both, layer))
      expect(volume.items[0]?.volumeInMB).toBe(12.5)
      expect(volume.totalCdnVolumeInMB).toBe(12.5)
      expect(preload.files.map((f) => f.status)).toEqual(["Queued", "Succeed"])
    })
  )

  it.effect("cache rules and access control in the description file's spelling: strings, AllowedList", () =>
    Effect.gen(function* () {
      const { layer } = fake([
        ok({
          rules: [{ type: "Dir", items: ["/a/"], ttl: "86400" }],
          ignoreCacheControl: "true",
          ignoreQueryString: "false",
          ignoreCookie: "false"
        }),
        ok({
          ForbiddenIps: ["1.2.3.4"],
          RefererControl: { Enabled: "true", RefererControlType: "AllowedList", Referers: null, PathPatterns: null }
        })
      ])
      const both = Effect.flatMap(CdnClient.CdnClient, (c) =>
        Effect.all([c.getCacheRules(ids), c.getAccessControl(ids)])
      )
      const [rules, access] = value(yield* run(both, layer))
      expect(rules.rules[0]).toMatchObject({ type: "Dir", items: ["/a/"], ttl: 86400 })
      expect(rules.ignoreCacheControl).toBe(true)
      expect(access.refererControl).toMatchObject({ enabled: true, refererControlType: "AllowList" })
    })
  )

  it.effect("create answered 200 (the description file) or 202 (the docs): both read", () =>
    Effect.gen(function* () {
      const endpoint = {
        EndpointId: e,
        Settings: { CustomDomain: "a.example.cn", Origin: { Addresses: [] } },
        Status: { Enabled: false, LifetimeStatus: "Creating" }
      }
      const input = {
        subscriptionId: s,
        customDomain: "a.example.cn",
        icp: "x",
        originAddresses: ["o.example.cn"],
        serviceType: "Web" as const
      }
      for (const status of [200, 202]) {
        const { layer } = fake([ok(endpoint, status)])
        const created = value(
          yield* run(
            Effect.flatMap(CdnClient.CdnClient, (c) => c.createEndpoint(input)),
            layer
          )
        )
        expect(created.status.lifetimeStatus).toBe("Creating")
      }
    })
  )
})

describe("CdnClient: retries of reads and writes", () => {
  const purge = Effect.flatMap(CdnClient.CdnClient, (c) => c.purge({ ...ids, files: ["http://a.example.cn/x"] }))
  const read = Effect.flatMap(CdnClient.CdnClient, (c) => c.getPurge({ ...ids, purgeId: op }))
  const gateway: Reply = { status: 503, body: "<html>503</html>" }

  it.effect("a read is retried after a 503 and a reset connection", () =>
    Effect.gen(function* () {
      const { sent, layer } = fake([gateway, "reset", ok({ Files: [], Directories: [] })])
      value(yield* run(read, layer))
      expect(sent).toHaveLength(3)
    })
  )

  it.effect("a purge is not re-sent after a 503 or a reset connection: the service may have carried it out", () =>
    Effect.gen(function* () {
      for (const reply of [gateway, "reset" as const]) {
        const { sent, layer } = fake([reply, accepted])
        const error = failure(yield* run(purge, layer))
        expect(["UnreadableResponse", "TransportError"]).toContain((error as { _tag: string })._tag)
        expect(sent).toHaveLength(1)
      }
    })
  )

  it.effect("a purge is re-sent after a refused connection or a throttle, each attempt signed by the rule", () =>
    Effect.gen(function* () {
      const throttled = ok({ Succeeded: false, ErrorInfo: { Type: "RequestThrottled", Message: "slow down" } }, 429)
      const { sent, layer } = fake(["refused", throttled, accepted])
      const result = value(yield* run(purge, layer))
      expect(result.taskTrackId).toBe(op)
      expect(sent).toHaveLength(3)
      for (const request of sent) expect(request.headers.authorization).toBe(expectedAuthorization(request))
    })
  )
})

describe("CdnApi.readRequest: a request in the service's own shape reads as the call's input", () => {
  it("purge, preload, create, update and traffic decode their bodies and queries with the call's schemas", () => {
    const params = { subscriptionId: s, endpointId: e }
    const read = (name: CdnApi.CallName, body: unknown, query = "", p: Record<string, string> = params) =>
      CdnApi.readRequest(CdnApi.calls[name] as CdnApi.AnyCall, { params: p, query, body })
    expect(read("purge", { Files: ["http://a.cn/x"], Directories: ["http://a.cn/d/"] })).toEqual(
      Either.right({ ...params, files: ["http://a.cn/x"], directories: ["http://a.cn/d/"] })
    )
    expect(read("preload", { files: ["http://a.cn/x"] })).toEqual(Either.right({ ...params, files: ["http://a.cn/x"] }))
    expect(read("updateEndpoint", { EndpointSettings: { Host: "h.example.cn" }, UpdateFlag: "HostHeader" })).toEqual(
      Either.right({ ...params, host: "h.example.cn" })
    )
    expect(
      read(
        "createEndpoint",
        { CustomDomain: "a.example.cn", ICP: "x", Origin: { Addresses: ["o.example.cn"] }, ServiceType: "Web" },
        "",
        { subscriptionId: s }
      )
    ).toEqual(
      Either.right({
        subscriptionId: s,
        customDomain: "a.example.cn",
        host: "a.example.cn",
        icp: "x",
        originAddresses: ["o.example.cn"],
        serviceType: "Web"
      })
    )
    const volume = read(
      "getEndpointVolume",
      undefined,
      "startTime=2024-01-01T00:00:00Z&endTime=2024-01-02T00:00:00Z&granularity=PerDay"
    )
    expect(volume).toEqual(
      Either.right({
        ...params,
        startTime: new Date("2024-01-01T00:00:00Z"),
        endTime: new Date("2024-01-02T00:00:00Z"),
        granularity: "PerDay"
      })
    )
    expect(read("getOperation", undefined, "apiVersion=1.0", { ...params, operationId: op })).toEqual(
      Either.right({ ...params, operationId: op })
    )
  })

  it("match names the call at a method and path; methodsAt lists the methods of a path", () => {
    const match = CdnApi.match("POST", `${base}/purges`)
    expect(match !== undefined && match !== "method" && match.name).toBe("purge")
    expect(CdnApi.match("DELETE", `${base}/purges`)).toBe("method")
    expect(CdnApi.match("GET", "/nothing")).toBeUndefined()
    expect([...CdnApi.methodsAt(base)].sort()).toEqual(["DELETE", "GET", "PUT"])
  })

  it("pathOf fills every placeholder, percent-encoded, and keeps the literal text between them", () => {
    const input = { subscriptionId: "s/1", endpointId: "e 2", operationId: "o?3" }
    const path = "/subscriptions/s%2F1/endpoints/e%202/operations/o%3F3"
    // Twice: the template is split once, then reused.
    for (let i = 0; i < 2; i++) expect(CdnApi.pathOf(CdnApi.calls.getOperation, input)).toBe(path)
    expect(CdnApi.pathOf(CdnApi.calls.getSubscriptionVolume, { subscriptionId: "s" })).toBe("/subscriptions/s/volume")
  })
})

describe("CdnClient: what is refused before anything is sent, and who signs", () => {
  it.effect("a wildcard domain with no host is InvalidInput: the origin's host header cannot be a wildcard", () =>
    Effect.gen(function* () {
      const { sent, layer } = fake([accepted])
      const create = Effect.flatMap(CdnClient.CdnClient, (c) =>
        c.createEndpoint({
          subscriptionId: s,
          customDomain: "*.example.cn",
          icp: "京ICP备16013159号",
          originAddresses: ["origin.example.cn"],
          serviceType: "Web"
        })
      )
      const error = failure(yield* run(create, layer))
      expect(error).toMatchObject({ _tag: "InvalidInput", field: "host" })
      expect(error.message).toContain("wildcard")
      expect(sent).toHaveLength(0)
    })
  )

  it.effect("a layer that replaces Signer changes how every request is signed", () =>
    Effect.gen(function* () {
      const signed: Array<string> = []
      const replaced = Layer.succeed(
        Signer.Signer,
        Signer.Signer.make({
          sign: (attempt, now) => {
            signed.push(`${attempt.method} ${attempt.path}`)
            return { "x-azurecdn-request-date": `at ${now}`, authorization: "AzureCDN other-key:SIGNED-ELSEWHERE" }
          },
          learnServerTime: () => false
        })
      )
      const { sent, http } = fakeHttp([accepted, ok({ Files: [], Directories: [] })])
      const layer = CdnClient.CdnClient.DefaultWithoutDependencies.pipe(
        Layer.provide(replaced),
        Layer.provide(Transport.fromHttpClient),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, http)),
        Layer.provide(CdnConfig.layer({ keyId: "key-id-1", keyValue: "secret-value" })),
        Layer.orDie
      )
      const both = Effect.flatMap(CdnClient.CdnClient, (c) =>
        Effect.zipRight(c.purge({ ...ids, files: ["http://a.example.cn/x"] }), c.getPurge({ ...ids, purgeId: op }))
      )
      value(yield* run(both, layer))
      expect(signed).toEqual([`POST ${base}/purges`, `GET ${base}/purges/${op}`])
      expect(sent.map((request) => request.headers.authorization)).toEqual([
        "AzureCDN other-key:SIGNED-ELSEWHERE",
        "AzureCDN other-key:SIGNED-ELSEWHERE"
      ])
    })
  )
})
