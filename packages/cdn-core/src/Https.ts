/**
 * HTTPS: a certificate and its private key uploaded to the subscription, then bound to an endpoint. The pair is
 * checked before anything is sent (they parse, belong together, are in their validity), and the private key stays
 * `Redacted` from the moment it is read until the body is written.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto"
import { Either, Option, ParseResult, Redacted, Schema } from "effect"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { OptionalList } from "./internal/lenient.js"
import { hasControl, hasControlOrSpace } from "./internal/text.js"
import * as Wire from "./Wire.js"

/** A PEM certificate (the first of a chain) read, or why it cannot be. */
export const readCertificate = (pem: string): Either.Either<X509Certificate, string> => {
  try {
    return Either.right(new X509Certificate(pem))
  } catch {
    return Either.left("is not a PEM certificate (-----BEGIN CERTIFICATE-----)")
  }
}

/** The DNS names a certificate is for: its subject alternative names, else its common name. */
export const namesOf = (certificate: X509Certificate): ReadonlyArray<string> => {
  const alt = (certificate.subjectAltName ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4).toLowerCase())
  if (alt.length > 0) return alt
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1]
  return cn === undefined ? [] : [cn.trim().toLowerCase()]
}

/** True when the certificate names `domain`, a wildcard (`*.example.cn`) covering one label. */
export const covers = (certificate: X509Certificate, domain: string): boolean => {
  const host = domain.toLowerCase()
  return namesOf(certificate).some((name) =>
    name.startsWith("*.")
      ? host.endsWith(name.slice(1)) &&
        !host.slice(0, host.length - name.length + 1).includes(".") &&
        host.length > name.length - 1
      : name === host
  )
}

/** Why a certificate and key may not be uploaded together (they parse, belong together), or undefined. */
export const pairProblem = (certificatePem: string, keyPem: Redacted.Redacted<string>): string | undefined => {
  const certificate = readCertificate(certificatePem)
  if (Either.isLeft(certificate)) return `certificate ${certificate.left}`
  const key = readPrivateKey(keyPem)
  if (Either.isLeft(key)) return key.left
  return certificate.right.checkPrivateKey(key.right) ? undefined : "privateKey does not belong to the certificate"
}

/** Why a certificate may not be uploaded at `now` (epoch ms): it has expired or is not valid yet; else undefined. */
export const validityProblem = (certificatePem: string, now: number): string | undefined => {
  const certificate = readCertificate(certificatePem)
  if (Either.isLeft(certificate)) return `certificate ${certificate.left}`
  if (Date.parse(certificate.right.validTo) <= now) return `certificate expired on ${certificate.right.validTo}`
  if (Date.parse(certificate.right.validFrom) > now)
    return `certificate is not valid before ${certificate.right.validFrom}`
  return undefined
}

const keyRefused = "privateKey is not a PEM private key (-----BEGIN PRIVATE KEY-----, or an RSA or EC key)"

/** A PEM private key read (PKCS#8, PKCS#1 RSA or SEC1 EC), or why it cannot be; its text is never in the reason. */
export const readPrivateKey = (keyPem: Redacted.Redacted<string>): Either.Either<KeyObject, string> => {
  try {
    return Either.right(createPrivateKey(Redacted.value(keyPem)))
  } catch {
    return Either.left(keyRefused)
  }
}

const pkcs8Header = /^\s*-----BEGIN PRIVATE KEY-----/

/**
 * The key as the current upload body carries it: PKCS#8 PEM. A PKCS#1 (`BEGIN RSA PRIVATE KEY`, what
 * `openssl genrsa -traditional` and many CAs give) or SEC1 (`BEGIN EC PRIVATE KEY`) key becomes the same key in PKCS#8.
 */
export const asPkcs8 = (keyPem: Redacted.Redacted<string>): Either.Either<Redacted.Redacted<string>, string> => {
  if (pkcs8Header.test(Redacted.value(keyPem))) return Either.right(keyPem)
  return Either.flatMap(readPrivateKey(keyPem), (key) => {
    try {
      return Either.right(Redacted.make(key.export({ type: "pkcs8", format: "pem" }) as string))
    } catch {
      return Either.left(keyRefused)
    }
  })
}

const RedactedText = Schema.RedactedFromSelf(Schema.String)

// A private key given as text is made Redacted on the spot and carried as PKCS#8; errors name it, never show it.
const RedactedFromText = Schema.transform(Schema.String, RedactedText, {
  strict: true,
  decode: (text) => Redacted.make(text),
  encode: (key) => Redacted.value(key)
}).annotations({ message: () => "must be the PEM text of the key" })

const asPkcs8Key = <I>(from: Schema.Schema<Redacted.Redacted<string>, I>) =>
  Schema.transformOrFail(from, RedactedText, {
    strict: true,
    decode: (key, _, ast) =>
      Either.match(asPkcs8(key), {
        onLeft: () =>
          ParseResult.fail(
            new ParseResult.Type(ast, undefined, "is not a PEM private key (PKCS#8, or an RSA or EC key)")
          ),
        onRight: ParseResult.succeed
      }),
    encode: ParseResult.succeed
  })

/** The key a caller gives: its PEM text, or that text already `Redacted`. */
const PrivateKey = asPkcs8Key(Schema.Union(RedactedText, RedactedFromText))
/** The key on the wire: PEM text. */
const PrivateKeyOnWire = asPkcs8Key(RedactedFromText)

const CertificatePem = Schema.String.pipe(
  Schema.filter(
    (pem) => Either.isRight(readCertificate(pem)) || "is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
  )
)

const CertificateName = Schema.String.pipe(
  Schema.filter((name) =>
    name.trim() === ""
      ? "is empty"
      : name.length > 128
        ? "is longer than 128 characters"
        : name !== name.trim() || hasControl(name)
          ? "must not have spaces around it or control characters in it"
          : true
  )
)

// The certificate and its key belong together; the name defaults to the certificate's (see `defaultName`).
const paired = <
  A extends {
    readonly certificate: string
    readonly privateKey: Redacted.Redacted<string>
    readonly name?: string | undefined
  },
  I
>(
  from: Schema.Schema<A, I>,
  keys: { readonly certificate: string; readonly privateKey: string }
): Schema.Schema<A & { readonly name: string }, I> =>
  Schema.transformOrFail(from, Schema.typeSchema(from), {
    strict: false,
    decode: (input, _, ast) => {
      const problem = pairProblem(input.certificate, input.privateKey)
      if (problem === undefined) {
        return ParseResult.succeed({ ...input, name: input.name ?? defaultName(input.certificate) })
      }
      const key = problem.startsWith("privateKey") ? keys.privateKey : keys.certificate
      return ParseResult.fail(
        new ParseResult.Pointer(
          key,
          input,
          new ParseResult.Type(ast, undefined, problem.replace(/^(privateKey|certificate) /, ""))
        )
      )
    },
    encode: ParseResult.succeed
  }) as unknown as Schema.Schema<A & { readonly name: string }, I>

/**
 * `uploadCertificate` input: the PEM chain, its key (PKCS#8, PKCS#1 RSA or SEC1 EC), and a name (default: the
 * certificate's first name and expiry). The pair must belong together; the client also checks, on its clock, that the
 * certificate is valid now.
 */
export const UploadCertificateInput = paired(
  Schema.Struct({
    subscriptionId: SubscriptionId,
    certificate: CertificatePem,
    privateKey: PrivateKey,
    name: Schema.optional(CertificateName)
  }),
  { certificate: "certificate", privateKey: "privateKey" }
)
export type UploadCertificateInput = typeof UploadCertificateInput.Encoded

/** A name for the certificate: its first DNS name and its expiry date. */
export const defaultName = (certificatePem: string): string => {
  const certificate = readCertificate(certificatePem)
  if (Either.isLeft(certificate)) return "certificate"
  const until = new Date(certificate.right.validTo).toISOString().slice(0, 10)
  return `${(namesOf(certificate.right)[0] ?? "certificate").replace("*", "wildcard")}-${until}`
}

/**
 * The upload body of the current clients, `{"CertificateName", "PublicCertificate", "PrivateKey", "Format": "Pem"}`
 * (full PEM text, the key in PKCS#8). The key is unwrapped only when the body is written.
 */
export const UploadCertificatePayload = paired(
  Wire.object({
    name: Schema.optional(CertificateName).pipe(Schema.fromKey("CertificateName")),
    certificate: Schema.propertySignature(CertificatePem).pipe(Schema.fromKey("PublicCertificate")),
    privateKey: Schema.propertySignature(PrivateKeyOnWire).pipe(Schema.fromKey("PrivateKey")),
    format: Schema.optionalToOptional(
      Schema.Literal("Pem").annotations({ message: () => "must be Pem (the certificate and key as PEM text)" }),
      Schema.Literal("Pem"),
      { decode: () => Option.none(), encode: () => Option.some("Pem" as const) }
    ).pipe(Schema.fromKey("Format"))
  }),
  { certificate: "PublicCertificate", privateKey: "PrivateKey" }
)

/** An uploaded certificate, as the service answers it (the 2017 answer or the current clients' longer one). */
export class CertificateShape extends Schema.Class<CertificateShape>("Certificate")({
  certificateId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("CertificateId")),
  certificateName: Schema.optional(Schema.String).pipe(Schema.fromKey("CertificateName")),
  subscriptionId: Schema.optional(Schema.String).pipe(Schema.fromKey("SubscriptionId")),
  state: Schema.optional(Schema.String).pipe(Schema.fromKey("State")),
  thumbprint: Schema.optional(Schema.String).pipe(Schema.fromKey("Thumbprint")),
  issuers: OptionalList(Schema.String).pipe(Schema.fromKey("Issuers")),
  subjects: OptionalList(Schema.String).pipe(Schema.fromKey("Subjects")),
  serialNumber: Schema.optional(Schema.String).pipe(Schema.fromKey("SerialNumber")),
  validFrom: Schema.optional(Schema.String).pipe(Schema.fromKey("ValidFrom")),
  validTo: Schema.optional(Schema.String).pipe(Schema.fromKey("ValidTo"))
}) {}

export const Certificate = CertificateShape
export type Certificate = CertificateShape

/** How the CDN reaches the origin once HTTPS is on. */
export const OriginProtocols = ["Http", "Https", "FollowRequest"] as const

const CertificateId = Schema.String.pipe(
  Schema.filter((id) =>
    id.trim() === ""
      ? "certificateId is required"
      : hasControlOrSpace(id)
        ? "certificateId must not hold spaces or control characters"
        : true
  ),
  Schema.annotations({ arbitrary: () => (fc) => fc.uuid() })
)

/** `bindCertificate` input. */
export const BindCertificateInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  certificateId: CertificateId,
  originProtocol: Schema.optional(Wire.OneOf(OriginProtocols)),
  autoHttpsRedirect: Schema.optional(Schema.Boolean)
})
export type BindCertificateInput = typeof BindCertificateInput.Encoded

/** The bind body, `{"CertificateId", "EndpointId", "OriginProtocol"?, "AutoHttpsRedirect"?}`. */
export const BindCertificatePayload = Wire.object({
  certificateId: Schema.propertySignature(CertificateId).pipe(Schema.fromKey("CertificateId")),
  endpointId: Schema.propertySignature(EndpointId).pipe(Schema.fromKey("EndpointId")),
  originProtocol: Schema.optional(Wire.OneOf(OriginProtocols)).pipe(Schema.fromKey("OriginProtocol")),
  autoHttpsRedirect: Schema.optional(Wire.Flag).pipe(Schema.fromKey("AutoHttpsRedirect"))
})
