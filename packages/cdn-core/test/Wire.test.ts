import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { CdnApi, Wire } from "../src/index.js"

const s = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const e = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const bytes = (text: string) => new TextEncoder().encode(text)

// The refusal of a body for `name`, or undefined when it reads.
const refusal = (name: CdnApi.CallName, body: unknown, query = "") => {
  const params =
    name === "createEndpoint" || name === "uploadCertificate" || name === "bindCertificate"
      ? { subscriptionId: s }
      : { subscriptionId: s, endpointId: e }
  const read = CdnApi.readRequest(CdnApi.calls[name] as CdnApi.AnyCall, { params, query, body })
  return Either.isLeft(read) ? read.left : undefined
}

describe("Wire.readJson: a body as the service's binder reads it", () => {
  it("reads valid JSON, with or without a UTF-8 BOM", () => {
    expect(Wire.readJson(bytes('{"Files":["http://a.cn/x"]}'))).toEqual(Either.right({ Files: ["http://a.cn/x"] }))
    expect(Wire.readJson(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes("{}")]))).toEqual(Either.right({}))
  })

  it("refuses bytes that are not valid UTF-8 rather than reading U+FFFD in their place", () => {
    const bad = Uint8Array.from([...bytes('{"Files":["http://a.cn/'), 0xff, 0xfe, ...bytes('"]}')])
    expect(Wire.readJson(bad)).toEqual(
      Either.left(expect.objectContaining({ field: "body", message: "body: is not valid UTF-8" }))
    )
    // An overlong encoding of "/" and a lone surrogate are not UTF-8 either.
    expect(Either.isLeft(Wire.readJson(Uint8Array.from([0x22, 0xc0, 0xaf, 0x22])))).toBe(true)
    expect(Either.isLeft(Wire.readJson(Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22])))).toBe(true)
  })

  it("refuses a key given twice in one object, at any depth, however it is escaped", () => {
    for (const text of [
      '{"Files":[],"Files":["http://a.cn/x"]}',
      '{"RefererControl":{"Enabled":true,"Enabled":false}}',
      '[{"a":1},{"b":2,"b":3}]',
      '{"Files":[],"\\u0046iles":[]}'
    ]) {
      const read = Wire.readJson(bytes(text))
      expect(Either.isLeft(read) && read.left.message).toMatch(/is given twice in one object/)
    }
    // The same key in two objects, or a key's text as a value, is fine.
    expect(Either.isRight(Wire.readJson(bytes('[{"a":1},{"a":2},"a","a"]')))).toBe(true)
    expect(Either.isRight(Wire.readJson(bytes('{"a":"\\"a\\":1,","b":{"a":1}}')))).toBe(true)
  })

  it("refuses text that is not JSON", () => {
    expect(Wire.readJson(bytes("{Files: []}"))).toEqual(
      Either.left(expect.objectContaining({ message: "body: is not JSON" }))
    )
  })
})

describe("reading a request strictly: what cannot be read exactly is refused, naming the field", () => {
  it("reads keys in any case, as the .NET binder does", () => {
    expect(refusal("purge", { fILES: ["http://a.cn/x"], directories: ["http://a.cn/d/"] })).toBeUndefined()
    expect(
      refusal("setAccessControl", {
        forbiddenips: [],
        referercontrol: { enabled: "true", referercontroltype: "AllowList", referers: ["*.a.cn"] }
      })
    ).toBeUndefined()
  })

  it.each([
    [
      "an unknown key",
      "purge",
      { Files: ["http://a.cn/x"], Filez: [] },
      "ParameterInvalid",
      "Filez: is not a key this call takes"
    ],
    [
      "a key in two casings",
      "purge",
      { Files: ["http://a.cn/x"], files: [] },
      "ParameterInvalid",
      "files: is given twice"
    ],
    ["a wrong type", "purge", { Files: "http://a.cn/x" }, "ParameterInvalid", "Files: must be a list, got a string"],
    [
      "an undocumented UpdateFlag",
      "updateEndpoint",
      { EndpointSettings: { Origin: { Addresses: ["o.a.cn"] } }, UpdateFlag: "Everything" },
      "ParameterInvalid",
      "UpdateFlag: must be one of Origin, HostHeader, Origin,HostHeader"
    ],
    [
      "UpdateFlag as a number",
      "updateEndpoint",
      { EndpointSettings: { Origin: { Addresses: ["o.a.cn"] } }, UpdateFlag: 1 },
      "ParameterInvalid",
      "UpdateFlag"
    ],
    [
      "an UpdateFlag that does not match the settings",
      "updateEndpoint",
      { EndpointSettings: { Host: "h.a.cn" }, UpdateFlag: "Origin" },
      "ParameterInvalid",
      "UpdateFlag: is Origin, but EndpointSettings gives what HostHeader changes"
    ],
    [
      "an undocumented ServiceType",
      "createEndpoint",
      { CustomDomain: "a.cn", ICP: "x", Origin: { Addresses: ["o.a.cn"] }, ServiceType: "web" },
      "ParameterInvalid",
      "ServiceType: must be one of Web"
    ],
    [
      "a boolean as a number",
      "setCacheRules",
      { Rules: [], IgnoreCookie: 1 },
      "ParameterInvalid",
      "IgnoreCookie: must be true or false"
    ],
    [
      'a boolean as "True"',
      "setAccessControl",
      { RefererControl: { Enabled: "True", RefererControlType: "AllowList", Referers: [] } },
      "ParameterInvalid",
      "RefererControl.Enabled: must be true or false"
    ],
    [
      "an undocumented rule type",
      "setCacheRules",
      { Rules: [{ Type: "Regex", Items: ["/a"], TTL: 1 }] },
      "ParameterInvalid",
      "Rules[0].Type: must be one of Dir, Suffix, FullUri"
    ],
    [
      "a TTL that is not a whole number",
      "setCacheRules",
      { Rules: [{ Type: "Dir", Items: ["/a/"], TTL: "1e3" }] },
      "ParameterInvalid",
      "Rules[0].TTL"
    ],
    [
      "access control with a wrong type",
      "setAccessControl",
      { ForbiddenIps: "1.2.3.4" },
      "ParameterInvalid",
      "ForbiddenIps: must be a list"
    ],
    [
      "an undocumented OriginProtocol",
      "bindCertificate",
      { CertificateId: "c1", EndpointId: e, OriginProtocol: "Ftp" },
      "ParameterInvalid",
      "OriginProtocol: must be one of Http, Https, FollowRequest"
    ],
    [
      "a binding with AutoHttpsRedirect as a string of another kind",
      "bindCertificate",
      { CertificateId: "c1", EndpointId: e, AutoHttpsRedirect: "yes" },
      "ParameterInvalid",
      "AutoHttpsRedirect: must be true or false"
    ],
    ["a missing required field", "preload", {}, "ParameterMissing", "Files: is missing"],
    [
      "a URL with CR LF",
      "purge",
      { Files: ["http://a.cn/x\r\nX: 1"] },
      "MaliciousItemPathDetected",
      "Files[0]: must not hold control characters"
    ],
    ["a URL with a tab", "purge", { Files: ["http://a.cn/\tx"] }, "MaliciousItemPathDetected", "Files[0]"],
    ["a URL with NUL", "purge", { Files: ["http://a.cn/x\u0000"] }, "MaliciousItemPathDetected", "Files[0]"],
    ["a URL with DEL", "purge", { Files: ["http://a.cn/x\u007f"] }, "MaliciousItemPathDetected", "Files[0]"],
    [
      "a URL with user info",
      "purge",
      { Files: ["http://cdn.example.cn@evil.example/a.png"] },
      "ParameterInvalid",
      "Files[0]: must not hold a user name or password"
    ],
    [
      "a URL with an encoded '..'",
      "purge",
      { Directories: ["http://a.cn/x/%2e%2E/"] },
      "MaliciousItemPathDetected",
      "Directories[0]: must not hold a '..' segment"
    ],
    [
      "a URL with another scheme",
      "preload",
      { Files: ["file:///etc/passwd"] },
      "ParameterInvalid",
      "Files[0]: must be an http or https URL"
    ],
    [
      "a wildcard host",
      "purge",
      { Files: ["https://*.a.cn/x"] },
      "ParameterInvalid",
      "Files[0]: must name a concrete host"
    ],
    [
      "a traffic time in another zone",
      "getEndpointVolume",
      undefined,
      "ParameterInvalid",
      "startTime: must be a UTC time as yyyy-MM-ddTHH:mm:ssZ"
    ],
    [
      "a granularity on bandwidth",
      "getEndpointBandwidth",
      undefined,
      "ParameterInvalid",
      "granularity: is not a key this call takes"
    ]
  ] as const)("%s", (_what, name, body, type, says) => {
    const query =
      name === "getEndpointVolume"
        ? "startTime=2024-01-01T08:00:00%2B08:00&endTime=2024-01-02T00:00:00Z&granularity=PerDay"
        : name === "getEndpointBandwidth"
          ? "startTime=2024-01-01T00:00:00Z&endTime=2024-01-02T00:00:00Z&granularity=PerDay"
          : ""
    const refused = refusal(name, body, query)
    expect(refused).toMatchObject({ _tag: "RequestRefused", type })
    expect(refused?.message).toContain(says)
  })

  it("a query parameter given twice, or one the call does not take, is refused", () => {
    const twice = "startTime=2024-01-01T00:00:00Z&endTime=2024-01-02T00:00:00Z&StartTime=2024-01-01T00:00:00Z"
    expect(refusal("getEndpointBandwidth", undefined, twice)?.message).toBe("StartTime: is given twice in the query")
    expect(refusal("getOperation", undefined, "apiVersion=1.0&x=1")?.message).toContain("x: is not a query parameter")
  })

  it("a body where none is taken, and none where one is, are refused", () => {
    expect(refusal("enableEndpoint", {})?.message).toBe("body: this call takes none")
    expect(refusal("purge", undefined)).toMatchObject({ type: "ParameterMissing", message: "body: is missing" })
  })

  it("no refusal repeats a private key, wherever in the body it was put", () => {
    const key =
      "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVfB1hZ5o2mZ3x0qc\n-----END PRIVATE KEY-----\n"
    const line = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVfB1hZ5o2mZ3x0qc"
    for (const body of [
      { CertificateName: line, PublicCertificate: "x", PrivateKey: key },
      { [line]: 1, PublicCertificate: "x", PrivateKey: key },
      { [key]: 1, PublicCertificate: "x", PrivateKey: key },
      { PublicCertificate: key, PrivateKey: key },
      { PublicCertificate: "x", PrivateKey: { key } },
      { PublicCertificate: "x", PrivateKey: key, Format: key }
    ]) {
      const refused = refusal("uploadCertificate", body)
      expect(refused).toBeDefined()
      for (let i = 0; i + 12 <= line.length; i += 4)
        expect(JSON.stringify(refused)).not.toContain(line.slice(i, i + 12))
    }
  })

  it("Flag and FlagText read both spellings and encode their own", () => {
    expect(Schema.decodeUnknownSync(Wire.Flag)("false")).toBe(false)
    expect(Schema.encodeSync(Wire.Flag)(true)).toBe(true)
    expect(Schema.encodeSync(Wire.FlagText)(true)).toBe("true")
  })
})
