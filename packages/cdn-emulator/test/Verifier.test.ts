import { createHmac } from "node:crypto"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import type { EmulatorKey, EmulatorOptions, Verification } from "../src/EmulatorOptions.js"
import * as InProcess from "../src/InProcess.js"
import { parseRequestDate, type SignedRequest, type Verdict, verify } from "../src/Verifier.js"
import { seed, startTime } from "./support.js"

// Signatures are computed here with node:crypto, not with cdn-core's signer, so the two stay independent.
const hmac = (key: string, text: string) => createHmac("sha256", key).update(text, "utf8").digest("hex")
const sign = (key: string, path: string, query: string, date: string, method = "GET") =>
  hmac(key, `${path}\r\n${query}\r\n${date}\r\n${method}`).toUpperCase()

const key: EmulatorKey = { id: "emulator-key", value: "emulator-secret" }
const keys = [key]
const defaultWindow = 15 * 60 * 1000
const date = "2017-05-02 06:34:07"
const at = Date.UTC(2017, 4, 2, 6, 34, 7)

const lowerPath = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}`
const upperPath = lowerPath.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, (id) => id.toUpperCase())

const request = (over: Partial<SignedRequest> & { signature?: string }): SignedRequest => {
  const { signature, ...rest } = over
  const base = { method: "GET", rawPath: lowerPath, rawQuery: "apiVersion=1.0", date, ...rest }
  const sig = signature ?? sign(key.value, base.rawPath.toLowerCase(), "apiVersion:1.0", base.date ?? "")
  return { authorization: `AzureCDN ${key.id}:${sig}`, ...base }
}

const check = (r: SignedRequest, mode: Verification = "strict", now = at, windowMs = defaultWindow): Verdict =>
  verify(r, keys, mode, now, windowMs)
const refusal = (verdict: Verdict) => (verdict.ok ? "ok" : verdict.type)

describe("Verifier: the signature", () => {
  it("accepts the documented signature over the lower-case path and decoded query", () => {
    const verdict = check(request({}))
    expect(verdict).toEqual({ ok: true, key })
  })

  it("a signature over the upper-case path as sent (Python, Java, Go): strict refuses, lenient accepts", () => {
    const r = request({ rawPath: upperPath, signature: sign(key.value, upperPath, "apiVersion:1.0", date) })
    expect(refusal(check(r, "strict"))).toBe("WrongSignature")
    expect(refusal(check(r, "lenient"))).toBe("ok")
  })

  it("a signature over the lower-cased path of an upper-case request (C#): both modes accept", () => {
    const r = request({ rawPath: upperPath, signature: sign(key.value, lowerPath, "apiVersion:1.0", date) })
    expect(refusal(check(r, "strict"))).toBe("ok")
    expect(refusal(check(r, "lenient"))).toBe("ok")
  })

  it("a signature over raw (undecoded) query values: strict refuses, lenient accepts", () => {
    const rawQuery = "apiVersion=1.0&startTime=2017-05-02T06%3A34%3A07Z"
    const decoded = "apiVersion:1.0, startTime:2017-05-02T06:34:07Z"
    const raw = "apiVersion:1.0, startTime:2017-05-02T06%3A34%3A07Z"
    const overRaw = request({ rawQuery, signature: sign(key.value, lowerPath, raw, date) })
    expect(refusal(check(overRaw, "strict"))).toBe("WrongSignature")
    expect(refusal(check(overRaw, "lenient"))).toBe("ok")
    const overDecoded = request({ rawQuery, signature: sign(key.value, lowerPath, decoded, date) })
    expect(refusal(check(overDecoded, "strict"))).toBe("ok")
  })

  it("a signature in lower-case hex: strict refuses, lenient accepts", () => {
    const lower = sign(key.value, lowerPath, "apiVersion:1.0", date).toLowerCase()
    expect(refusal(check(request({ signature: lower }), "strict"))).toBe("WrongSignature")
    expect(refusal(check(request({ signature: lower }), "lenient"))).toBe("ok")
  })

  it("sorts query pairs by name in ordinal order, first value of a repeated name, joined with ', '", () => {
    const rawQuery = "b=2&apiVersion=1.0&Z=0&a=1&a=9"
    const sig = sign(key.value, lowerPath, "Z:0, a:1, apiVersion:1.0, b:2", date)
    expect(refusal(check(request({ rawQuery, signature: sig })))).toBe("ok")
    // The same pairs joined with "," alone are another string: refused.
    const tight = sign(key.value, lowerPath, "Z:0,a:1,apiVersion:1.0,b:2", date)
    expect(refusal(check(request({ rawQuery, signature: tight })))).toBe("WrongSignature")
  })

  it("signs the method in upper case and refuses a signature for another method", () => {
    expect(refusal(check(request({ signature: sign(key.value, lowerPath, "apiVersion:1.0", date, "POST") })))).toBe(
      "WrongSignature"
    )
  })

  it("keys with the key value's UTF-8 bytes, not base64-decoded", () => {
    const k = { id: "b64", value: "c2VjcmV0w6k=" }
    const sig = sign(k.value, lowerPath, "apiVersion:1.0", date)
    const verdict = verify(request({ authorization: `AzureCDN b64:${sig}` }), [k], "strict", at, defaultWindow)
    expect(verdict).toEqual({ ok: true, key: k })
  })

  it("finds the key by its ID among several", () => {
    const other = { id: "second", value: "second-secret" }
    const sig = sign(other.value, lowerPath, "apiVersion:1.0", date)
    const verdict = verify(
      request({ authorization: `AzureCDN second:${sig}` }),
      [key, other],
      "strict",
      at,
      defaultWindow
    )
    expect(verdict).toEqual({ ok: true, key: other })
  })

  it("the wrong key value is WrongSignature, naming the key ID", () => {
    const sig = sign("not-the-secret", lowerPath, "apiVersion:1.0", date)
    expect(check(request({ signature: sig }))).toMatchObject({ ok: false, type: "WrongSignature", keyId: key.id })
  })
})

describe("Verifier: the headers, in order", () => {
  it.each([
    ["no Authorization", { authorization: undefined }, "MissingAuthorizationHeader"],
    ["an empty Authorization", { authorization: "" }, "MissingAuthorizationHeader"],
    ["no date", { date: undefined }, "MissingRequestDateHeader"],
    ["an empty date", { date: "" }, "MissingRequestDateHeader"],
    ["another scheme", { authorization: "SharedKey emulator-key:abc" }, "InvalidAuthorizationHeader"],
    ["no colon", { authorization: `AzureCDN ${"A".repeat(64)}` }, "InvalidAuthorizationHeader"],
    ["a short signature", { authorization: `AzureCDN emulator-key:${"A".repeat(63)}` }, "InvalidAuthorizationHeader"],
    [
      "a signature that is not hex",
      { authorization: `AzureCDN emulator-key:${"G".repeat(64)}` },
      "InvalidAuthorizationHeader"
    ],
    ["an unknown key ID", { authorization: `AzureCDN who:${"A".repeat(64)}` }, "ApiKeyNotFound"]
  ] as const)("%s → %s", (_name, over, type) => {
    expect(refusal(check({ ...request({}), ...over }))).toBe(type)
  })

  it("a missing Authorization wins over a missing date", () => {
    expect(refusal(check({ ...request({}), authorization: undefined, date: undefined }))).toBe(
      "MissingAuthorizationHeader"
    )
  })

  it("a wrong signature wins over an expired date (the date is only trusted once signed)", () => {
    const old = "2017-05-01 06:34:07"
    const sig = sign("not-the-secret", lowerPath, "apiVersion:1.0", old)
    expect(refusal(check(request({ date: old, signature: sig })))).toBe("WrongSignature")
  })

  it("ApiKeyNotFound names the key ID it did not find", () => {
    expect(check({ ...request({}), authorization: `AzureCDN who:${"A".repeat(64)}` })).toMatchObject({
      keyId: "who"
    })
  })
})

describe("Verifier: the date", () => {
  it("accepts ±15 minutes by default, to the millisecond", () => {
    const r = request({})
    expect(refusal(check(r, "strict", at + defaultWindow))).toBe("ok")
    expect(refusal(check(r, "strict", at - defaultWindow))).toBe("ok")
    expect(refusal(check(r, "strict", at + defaultWindow + 1))).toBe("AuthorizationHeaderExpired")
    expect(refusal(check(r, "strict", at - defaultWindow - 1))).toBe("AuthorizationHeaderExpired")
  })

  it("honours another window", () => {
    const r = request({})
    expect(refusal(check(r, "strict", at + 60_000, 60_000))).toBe("ok")
    expect(refusal(check(r, "strict", at + 60_001, 60_000))).toBe("AuthorizationHeaderExpired")
    expect(refusal(check(r, "strict", at, 0))).toBe("ok")
    expect(refusal(check(r, "strict", at + 1, 0))).toBe("AuthorizationHeaderExpired")
  })

  it("parses yyyy-MM-dd HH:mm:ss as UTC on a 24-hour clock", () => {
    expect(parseRequestDate("2017-05-02 06:34:07")).toBe(at)
    expect(parseRequestDate("2017-05-02 18:34:07")).toBe(Date.UTC(2017, 4, 2, 18, 34, 7))
    expect(parseRequestDate("2016-02-29 00:00:00")).toBe(Date.UTC(2016, 1, 29))
    expect(parseRequestDate("2017-12-31 23:59:59")).toBe(Date.UTC(2017, 11, 31, 23, 59, 59))
  })

  it.each([
    "2017-13-01 00:00:00",
    "2017-00-10 00:00:00",
    "2017-02-29 00:00:00",
    "2017-04-31 00:00:00",
    "2017-05-02 24:00:00",
    "2017-05-02 06:60:00",
    "2017-05-02 06:34:60",
    "2017-05-02T06:34:07",
    "2017-05-02T06:34:07Z",
    "2017-05-02 06:34:07Z",
    "2017-05-02 6:34:07",
    "2017-05-02 06:34:07 AM",
    "2017-05-02 06:34:07 PM",
    "2017-05-02 6:34:07 PM",
    "05/02/2017 06:34:07",
    "2017-05-02 06:34",
    "Tue, 02 May 2017 06:34:07 GMT",
    " 2017-05-02 06:34:07"
  ])("%j is InvalidRequestDateHeader", (text) => {
    expect(parseRequestDate(text)).toBeUndefined()
    const sig = sign(key.value, lowerPath, "apiVersion:1.0", text)
    expect(refusal(check(request({ date: text, signature: sig })))).toBe("InvalidRequestDateHeader")
  })
})

// The same rules reached through the emulator's API, so that the options are proven to be wired in.
const call = (options: EmulatorOptions, path: string, sig: (date: string) => string, date = "2024-06-01 08:00:00") =>
  Effect.gen(function* () {
    // The emulator reads the TestClock: put it at the dates signed here.
    yield* TestClock.setTime(startTime)
    const emulator = Emulator.make(options)
    const response = yield* InProcess.httpClient(emulator).execute(
      HttpClientRequest.get(`https://restapi.cdn.azure.cn${path}?apiVersion=1.0`, {
        headers: { "x-azurecdn-request-date": date, authorization: `AzureCDN emulator-key:${sig(date)}` }
      })
    )
    const body = (yield* response.json) as { ErrorInfo?: { Type: string } }
    return { status: response.status, type: body.ErrorInfo?.Type ?? "ok", log: emulator.log.all() }
  }).pipe(Effect.orDie)

describe("Verifier through the emulator's API", () => {
  const asSent = (date: string) => sign(key.value, upperPath, "apiVersion:1.0", date)
  const lowered = (date: string) => sign(key.value, lowerPath, "apiVersion:1.0", date)

  it.effect("strict by default: the upper-case path as the Python sample signs it is WrongSignature", () =>
    Effect.gen(function* () {
      const answer = yield* call({}, upperPath, asSent)
      expect(answer).toMatchObject({ status: 401, type: "WrongSignature" })
      expect(answer.log[0]).toMatchObject({ signatureValid: false, keyId: "emulator-key", outcome: "WrongSignature" })
    })
  )

  it.effect("verification lenient: the same request is answered", () =>
    Effect.gen(function* () {
      const answer = yield* call({ verification: "lenient" }, upperPath, asSent)
      expect(answer).toMatchObject({ status: 200, type: "ok" })
      expect(answer.log[0]).toMatchObject({ signatureValid: true, path: upperPath })
    })
  )

  it.effect("the default window is 15 minutes", () =>
    Effect.gen(function* () {
      expect((yield* call({}, lowerPath, lowered, "2024-06-01 07:45:00")).type).toBe("ok")
      expect((yield* call({}, lowerPath, lowered, "2024-06-01 07:44:59")).type).toBe("AuthorizationHeaderExpired")
    })
  )

  it.effect("dateWindow: a one-minute window refuses a date 61 s old", () =>
    Effect.gen(function* () {
      const options = { dateWindow: "1 minute" } as const
      expect((yield* call(options, lowerPath, lowered, "2024-06-01 07:59:00")).type).toBe("ok")
      const outside = yield* call(options, lowerPath, lowered, "2024-06-01 07:58:59")
      expect(outside).toMatchObject({ status: 401, type: "AuthorizationHeaderExpired" })
      expect((yield* call(options, lowerPath, lowered, "2024-06-01 08:01:00")).type).toBe("ok")
      expect((yield* call(options, lowerPath, lowered, "2024-06-01 08:01:01")).type).toBe("AuthorizationHeaderExpired")
    })
  )
})
