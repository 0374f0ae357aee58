import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted, Schema, TestClock } from "effect"
import { CdnApi, Https } from "../src/index.js"
import { makeCa } from "./certificates.js"

const ca = makeCa()
const site = ca.valid("cdn.example.cn")
const wildcard = ca.valid("*.example.cn")
const expired = ca.expired("cdn.example.cn")
const other = ca.valid("other.example.cn")
const rsa = ca.validRsa("rsa.example.cn")
const decode = Schema.decodeUnknownEither(Https.UploadCertificateInput)
const s = "5dd0413d-a2f9-442a-b836-128d87753fa9"

const publicKeyOf = (pem: string) =>
  createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "pem" }).toString()

describe("Https: a certificate and its key, checked before anything is sent", () => {
  it("a valid pair passes; the key stays Redacted", () => {
    const input = decode({ subscriptionId: s, certificate: site.certificate, privateKey: site.key })
    expect(Either.isRight(input)).toBe(true)
    if (Either.isRight(input)) expect(Redacted.isRedacted(input.right.privateKey)).toBe(true)
  })

  it.each([
    [
      "a key of another certificate",
      { certificate: site.certificate, privateKey: other.key },
      "privateKey",
      "does not belong"
    ],
    [
      "a certificate that is not PEM",
      { certificate: "hello", privateKey: site.key },
      "certificate",
      "not a PEM certificate"
    ],
    [
      "a key that is not PEM",
      { certificate: site.certificate, privateKey: "not a key" },
      "privateKey",
      "not a PEM private key"
    ]
  ] as const)("%s is refused, naming the field, never showing the key", (_what, pair, field, says) => {
    const input = decode({ subscriptionId: s, ...pair })
    expect(Either.isLeft(input)).toBe(true)
    const text = Either.isLeft(input) ? String(input.left) : ""
    expect(text).toContain(field)
    expect(text).toContain(says)
    const secret = pair.privateKey.length > 80 ? pair.privateKey.slice(40, 80) : pair.privateKey
    expect(text).not.toContain(secret)
  })

  it.each([
    ["a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY)", ca.traditional(rsa), "-----BEGIN RSA PRIVATE KEY-----"],
    ["a SEC1 EC key (BEGIN EC PRIVATE KEY)", ca.traditional(site), "-----BEGIN EC PRIVATE KEY-----"]
  ])("%s goes out as the same key in PKCS#8", (_what, pair, header) => {
    expect(pair.key).toContain(header)
    const input = decode({ subscriptionId: s, certificate: pair.certificate, privateKey: pair.key })
    if (Either.isLeft(input)) throw new Error(String(input.left))
    const body = Schema.encodeSync(Https.UploadCertificatePayload)(input.right)
    expect(body.PrivateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(publicKeyOf(body.PrivateKey)).toBe(publicKeyOf(pair.key))
    expect(new X509Certificate(pair.certificate).checkPrivateKey(createPrivateKey(body.PrivateKey))).toBe(true)
  })

  it.effect("an expired certificate, or one not valid yet, is refused on Effect's clock before anything is sent", () =>
    Effect.gen(function* () {
      const input = decode({ subscriptionId: s, certificate: expired.certificate, privateKey: expired.key })
      if (Either.isLeft(input)) throw new Error("the pair itself is fine")
      const check = CdnApi.calls.uploadCertificate.check as NonNullable<typeof CdnApi.calls.uploadCertificate.check>
      yield* TestClock.setTime(Date.now())
      const refused = yield* Effect.flip(check(input.right))
      expect(refused).toMatchObject({ _tag: "InvalidInput", field: "certificate" })
      expect(refused.message).toContain("expired on")
      // Two years back on the clock, the same certificate is in its validity.
      yield* TestClock.setTime(Date.now() - 715 * 86_400_000)
      yield* check(input.right)
      // And a certificate from the future is not valid yet.
      const fresh = decode({ subscriptionId: s, certificate: site.certificate, privateKey: site.key })
      if (Either.isLeft(fresh)) throw new Error("invalid")
      expect((yield* Effect.flip(check(fresh.right))).message).toContain("not valid before")
    })
  )

  it("covers: the SAN names, a wildcard for one label only", () => {
    const exact = new X509Certificate(site.certificate)
    expect(Https.covers(exact, "cdn.example.cn")).toBe(true)
    expect(Https.covers(exact, "www.example.cn")).toBe(false)
    const wild = new X509Certificate(wildcard.certificate)
    expect(Https.covers(wild, "img.example.cn")).toBe(true)
    expect(Https.covers(wild, "example.cn")).toBe(false)
    expect(Https.covers(wild, "a.b.example.cn")).toBe(false)
  })

  it("the upload body: full PEM, Format Pem, a default name from the domain and expiry", () => {
    const input = decode({ subscriptionId: s, certificate: site.certificate, privateKey: site.key })
    if (Either.isLeft(input)) throw new Error("invalid")
    const body = Schema.encodeSync(Https.UploadCertificatePayload)(input.right)
    expect(body.Format).toBe("Pem")
    expect(body.PrivateKey).toBe(site.key)
    expect(body.CertificateName).toMatch(/^cdn\.example\.cn-\d{4}-\d{2}-\d{2}$/)
  })
})
