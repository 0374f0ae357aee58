import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import fc from "fast-check"
import * as CdnConfig from "../src/CdnConfig.js"
import { canonicalQuery } from "../src/internal/signing.js"
import * as Signer from "../src/Signer.js"

// Fixed seed: the properties explore the same cases on every run.
const runs = { seed: 20170502, numRuns: 300 }

const S = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const E = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const O = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
const host = "https://restapi.cdn.azure.cn"
const operationPath = `/subscriptions/${S}/endpoints/${E}/operations/${O}`
const keyId = "test-key-id"
const keyValue = "cdn-test-key-value"
const key = Redacted.make(keyValue)

// Known answers computed with openssl (OpenSSL 3.0), never with this project's code.
const vectors = {
  // printf '%s\r\n%s\r\n%s\r\n%s' "/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/operations/a97459bf-e4c4-4d4f-94e4-b775f0f09f31" "apiVersion:1.0" "2017-05-02 06:34:07" "GET" | openssl dgst -sha256 -hmac "cdn-test-key-value" | awk '{print toupper($2)}'
  seedGet: "E09B524C7F9FECE05F0BCC0E25AEE279A5EFFA62BAA337480AB419A5ECF93605",
  // printf '%s\r\n%s\r\n%s\r\n%s' "/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/volume" "apiVersion:1.0, granularity:PerHour, startTime:2017-05-01T00:00:00Z" "2017-05-02 23:05:09" "GET" | openssl dgst -sha256 -hmac "cdn-test-key-value" | awk '{print toupper($2)}'
  volumeQuery: "B7D7B0D957C7F703B44C3C57C7B4B29D9975805A6B6BC27F746496F4D6FCACF2",
  // printf '%s\r\n%s\r\n%s\r\n%s' "/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/purges" "apiVersion:1.0" "2017-05-02 06:34:07" "POST" | openssl dgst -sha256 -hmac "cdn-test-key-value" | awk '{print toupper($2)}'
  purgePost: "90662A75D15EF8474015E57F31D7E049EDB3DB303CF9E2DE1D9E576DCD0DC9A8",
  // printf '%s\r\n%s\r\n%s\r\n%s' "/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/operations/a97459bf-e4c4-4d4f-94e4-b775f0f09f31" "apiVersion:1.0" "2017-05-02 06:34:07" "GET" | openssl dgst -sha256 -hmac "clé-密钥-ключ" | awk '{print toupper($2)}'
  // (same digest with -mac HMAC -macopt hexkey:636cc3a92de5af86e992a52dd0bad0bbd18ed187, the key's UTF-8 bytes)
  utf8Key: "B2B95A2E3A7F7455970CD94B9F4A5804EEB8F636D86B2E6BA2355F61DAA48C05",
  // printf '%s\r\n%s\r\n%s\r\n%s' "/subscriptions/5dd0413d-a2f9-442a-b836-128d87753fa9/endpoints/46fecf3c-e874-49aa-891d-0d4dc93213e0/operations/a97459bf-e4c4-4d4f-94e4-b775f0f09f31" "apiVersion:1.0" "2017-05-02 06:44:07" "GET" | openssl dgst -sha256 -hmac "cdn-test-key-value" | awk '{print toupper($2)}'
  seedGetTenMinutesLater: "44AB97671D9F8D0035BDACEA53A1EF34CBFF40E7AF5410D844721E8014586A31"
} as const

const SignerLive = Signer.Signer.Default.pipe(Layer.provide(CdnConfig.layer({ keyId, keyValue })))
const seedTime = Date.parse("2017-05-02T06:34:07Z")
const apiVersion = [["apiVersion", "1.0"]] as const

// The Signer service's headers for an attempt at `at`.
const signedAt = (attempt: Signer.Attempt, at: number) =>
  Effect.map(Signer.Signer, (signer) => signer.sign(attempt, at)).pipe(Effect.provide(SignerLive), Effect.runSync)

describe("the Signer service: known answers (openssl)", () => {
  it("signs the seed get-operation call", () => {
    expect(signedAt({ path: operationPath, query: apiVersion, method: "GET" }, seedTime)).toEqual({
      "x-azurecdn-request-date": "2017-05-02 06:34:07",
      authorization: `AzureCDN ${keyId}:${vectors.seedGet}`
    })
  })

  it("sorts query parameters and signs their decoded values", () => {
    const url = new URL(
      `${host}/subscriptions/${S}/endpoints/${E}/volume?startTime=2017-05-01T00%3A00%3A00Z&apiVersion=1.0&granularity=PerHour`
    )
    // The query line the service expects, independently of the signature.
    expect(canonicalQuery(url.searchParams)).toBe("apiVersion:1.0, granularity:PerHour, startTime:2017-05-01T00:00:00Z")
    const headers = signedAt(
      { path: url.pathname, query: url.searchParams, method: "GET" },
      Date.parse("2017-05-02T23:05:09Z")
    )
    expect(headers.authorization).toBe(`AzureCDN ${keyId}:${vectors.volumeQuery}`)
  })

  it("signs a POST with the method in upper case, whatever case it is given in", () => {
    for (const method of ["POST", "post"]) {
      const headers = signedAt(
        { path: `/subscriptions/${S}/endpoints/${E}/purges`, query: apiVersion, method },
        seedTime
      )
      expect(headers.authorization).toBe(`AzureCDN ${keyId}:${vectors.purgePost}`)
    }
  })

  it("keys the HMAC with the UTF-8 bytes of a non-ASCII key value", () => {
    const text = Signer.stringToSign({
      path: operationPath,
      query: [["apiVersion", "1.0"]],
      date: "2017-05-02 06:34:07",
      method: "GET"
    })
    expect(Signer.signature(Redacted.make("clé-密钥-ключ"), text)).toBe(vectors.utf8Key)
  })

  it("builds the string to sign from path, query line, date and method, joined by CRLF", () => {
    const text = Signer.stringToSign({
      path: "/p",
      query: [
        ["b", "2"],
        ["a", "1"]
      ],
      date: "2017-05-02 06:34:07",
      method: "get"
    })
    expect(text).toBe("/p\r\na:1, b:2\r\n2017-05-02 06:34:07\r\nGET")
  })

  it("is the signature of the string to sign, for any decoded query", () => {
    const pair = fc.tuple(fc.string({ minLength: 1, unit: "binary" }), fc.string({ unit: "binary" }))
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 6 }), (pairs) => {
        const path = `/subscriptions/${S}/endpoints/${E}/volume`
        const text = Signer.stringToSign({ path, query: pairs, date: "2017-05-02 06:34:07", method: "GET" })
        expect(signedAt({ path, query: pairs, method: "GET" }, seedTime).authorization).toBe(
          `AzureCDN ${keyId}:${Signer.signature(key, text)}`
        )
      }),
      runs
    )
  })

  it("is always 64 upper-case hexadecimal characters", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: "binary" }), fc.string({ unit: "binary" }), (secret, text) => {
        expect(Signer.signature(Redacted.make(secret), text)).toMatch(/^[0-9A-F]{64}$/)
      }),
      runs
    )
  })
})

describe("formatRequestDate", () => {
  it("writes UTC as yyyy-MM-dd HH:mm:ss with zero padding", () => {
    expect(Signer.formatRequestDate(Date.parse("2017-05-02T06:34:07.869Z"))).toBe("2017-05-02 06:34:07")
    expect(Signer.formatRequestDate(Date.parse("2021-01-03T04:05:06Z"))).toBe("2021-01-03 04:05:06")
  })

  it("uses the 24-hour clock", () => {
    expect(Signer.formatRequestDate(Date.parse("2017-05-02T23:05:09Z"))).toBe("2017-05-02 23:05:09")
    expect(Signer.formatRequestDate(Date.parse("2017-05-02T12:00:00Z"))).toBe("2017-05-02 12:00:00")
    expect(Signer.formatRequestDate(Date.parse("2017-05-02T00:00:00Z"))).toBe("2017-05-02 00:00:00")
  })

  it("is UTC, not local time, across a year boundary", () => {
    // 2017-12-31 23:30 in UTC-5 is already the new year in UTC.
    expect(Signer.formatRequestDate(Date.parse("2017-12-31T23:30:00-05:00"))).toBe("2018-01-01 04:30:00")
  })

  it("always has the documented shape and round-trips to the second", () => {
    // Years 1970..9999: the range a clock can give and a four-digit year can hold.
    const instants = fc.date({ min: new Date(0), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true })
    fc.assert(
      fc.property(instants, (date) => {
        const ms = date.getTime()
        const text = Signer.formatRequestDate(ms)
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
        expect(Date.parse(`${text.replace(" ", "T")}Z`)).toBe(Math.floor(ms / 1000) * 1000)
      }),
      runs
    )
  })
})

describe("canonicalQuery", () => {
  it("sorts names in ordinal order: upper case before lower case, a prefix first", () => {
    const query = canonicalQuery([
      ["b", "1"],
      ["a_b", "2"],
      ["A", "3"],
      ["a", "4"],
      ["Z", "5"],
      ["aB", "6"]
    ])
    // A locale-aware sort would give "a, A, a_b, aB, b, Z" instead.
    expect(query).toBe("A:3, Z:5, a:4, aB:6, a_b:2, b:1")
  })

  it("keeps a repeated name once, with its first value", () => {
    expect(
      canonicalQuery([
        ["apiVersion", "1.0"],
        ["x", "first"],
        ["apiVersion", "2.0"],
        ["x", "second"]
      ])
    ).toBe("apiVersion:1.0, x:first")
  })

  it("joins with comma and space, and is empty for no parameters", () => {
    expect(
      canonicalQuery([
        ["b", "2"],
        ["a", "1"]
      ])
    ).toBe("a:1, b:2")
    expect(canonicalQuery([])).toBe("")
  })

  it("does not depend on the order of distinct names", () => {
    const pairs = fc.uniqueArray(fc.tuple(fc.string(), fc.string()), { selector: ([name]) => name })
    const pairsAndShuffle = pairs.chain((list) =>
      fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }).map((shuffled) => [list, shuffled])
    )
    fc.assert(
      fc.property(pairsAndShuffle, ([list, shuffled]) => {
        expect(canonicalQuery(shuffled)).toBe(canonicalQuery(list))
      }),
      runs
    )
  })
})

describe("Signer service", () => {
  const attempt = { path: operationPath, query: apiVersion, method: "GET" }

  it.effect("dates each attempt by the time it is given, so a retry never reuses an old date", () =>
    Effect.gen(function* () {
      const signer = yield* Signer.Signer
      const first = signer.sign(attempt, seedTime)
      const second = signer.sign(attempt, seedTime + 61_000)
      expect(first[Signer.requestDateHeader]).toBe("2017-05-02 06:34:07")
      expect(second[Signer.requestDateHeader]).toBe("2017-05-02 06:35:08")
      expect(second.authorization).not.toBe(first.authorization)
    }).pipe(Effect.provide(SignerLive))
  )

  it.effect("dates requests by the service's clock once it has learnt it", () =>
    Effect.gen(function* () {
      const signer = yield* Signer.Signer
      // The service is ten minutes ahead of this machine.
      expect(signer.learnServerTime("Tue, 02 May 2017 06:44:07 GMT", seedTime)).toBe(true)
      const signed = signer.sign(attempt, seedTime)
      expect(signed[Signer.requestDateHeader]).toBe("2017-05-02 06:44:07")
      expect(signed.authorization).toBe(`AzureCDN ${keyId}:${vectors.seedGetTenMinutesLater}`)
      // The same correction again is not news: the client must not retry on it a second time.
      expect(signer.learnServerTime("Tue, 02 May 2017 06:44:07 GMT", seedTime)).toBe(false)
    }).pipe(Effect.provide(SignerLive))
  )

  it.effect("ignores a Date header it cannot read", () =>
    Effect.gen(function* () {
      const signer = yield* Signer.Signer
      expect(signer.learnServerTime("not a date", seedTime)).toBe(false)
      expect(signer.sign(attempt, seedTime)[Signer.requestDateHeader]).toBe("2017-05-02 06:34:07")
    }).pipe(Effect.provide(SignerLive))
  )

  it.effect("never puts the key value in any header", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(seedTime)
      const signer = yield* Signer.Signer
      const signed = signer.sign({ ...attempt, method: "POST" }, seedTime)
      expect(Object.keys(signed).sort()).toEqual(["authorization", Signer.requestDateHeader])
      for (const value of Object.values(signed)) expect(value).not.toContain(keyValue)
    }).pipe(Effect.provide(SignerLive))
  )
})
