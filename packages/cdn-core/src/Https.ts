/**
 * HTTPS: a certificate and its private key uploaded to the subscription, then bound to an endpoint. The pair is
 * checked before anything is sent (they parse, belong together, are in their validity), and the private key stays
 * `Redacted` from the moment it is read until the body is written.
 */
import { createPrivateKey, X509Certificate } from "node:crypto"
import { Either, Redacted, Schema } from "effect"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { CanonicalKeys, LenientArray, OneOf } from "./internal/lenient.js"

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

/** Why a certificate and key may not be uploaded at `now`, or undefined when they may. */
export const pairProblem = (
  certificatePem: string,
  keyPem: Redacted.Redacted<string>,
  now: number
): string | undefined => {
  const certificate = readCertificate(certificatePem)
  if (Either.isLeft(certificate)) return `certificate ${certificate.left}`
  let key: ReturnType<typeof createPrivateKey>
  try {
    key = createPrivateKey(Redacted.value(keyPem))
  } catch {
    // Never the key's text: only what is wrong with it.
    return "privateKey is not a PEM private key (-----BEGIN PRIVATE KEY-----)"
  }
  if (!certificate.right.checkPrivateKey(key)) return "privateKey does not belong to the certificate"
  if (Date.parse(certificate.right.validTo) <= now) return `certificate expired on ${certificate.right.validTo}`
  if (Date.parse(certificate.right.validFrom) > now)
    return `certificate is not valid before ${certificate.right.validFrom}`
  return undefined
}

// A private key given as text is made Redacted on the spot; errors name it, never show it.
const PrivateKey = Schema.Union(
  Schema.RedactedFromSelf(Schema.String),
  Schema.transform(Schema.String, Schema.RedactedFromSelf(Schema.String), {
    strict: true,
    decode: (text) => Redacted.make(text),
    encode: (key) => Redacted.value(key)
  })
).annotations({ message: () => "privateKey must be the PEM text of the key" })

/** `uploadCertificate` input: the PEM chain, its key, and a name (default: the certificate's name and expiry). */
export const UploadCertificateInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  certificate: Schema.String,
  privateKey: PrivateKey,
  name: Schema.optional(Schema.Trim.pipe(Schema.nonEmptyString(), Schema.maxLength(128)))
}).pipe(
  Schema.filter((input) => {
    const problem = pairProblem(input.certificate, input.privateKey, Date.now())
    return problem === undefined
      ? true
      : { path: [problem.startsWith("privateKey") ? "privateKey" : "certificate"], message: problem }
  })
)
export type UploadCertificateInput = typeof UploadCertificateInput.Encoded

/** A name for the certificate: its first DNS name and its expiry date. */
export const defaultName = (certificatePem: string): string => {
  const certificate = readCertificate(certificatePem)
  if (Either.isLeft(certificate)) return "certificate"
  const until = new Date(certificate.right.validTo).toISOString().slice(0, 10)
  return `${(namesOf(certificate.right)[0] ?? "certificate").replace("*", "wildcard")}-${until}`
}

/** The body of the current clients (full PEM, `Format: "Pem"`). The key is unwrapped here, for the wire alone. */
export const uploadBody = (input: typeof UploadCertificateInput.Type) => ({
  CertificateName: input.name ?? defaultName(input.certificate),
  PublicCertificate: input.certificate,
  PrivateKey: Redacted.value(input.privateKey),
  Format: "Pem"
})

/** An uploaded certificate, as the service answers it. */
export class CertificateShape extends Schema.Class<CertificateShape>("Certificate")({
  certificateId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("CertificateId")),
  certificateName: Schema.optional(Schema.String).pipe(Schema.fromKey("CertificateName")),
  subscriptionId: Schema.optional(Schema.String).pipe(Schema.fromKey("SubscriptionId")),
  state: Schema.optional(Schema.String).pipe(Schema.fromKey("State")),
  thumbprint: Schema.optional(Schema.String).pipe(Schema.fromKey("Thumbprint")),
  issuers: LenientArray(Schema.String).pipe(Schema.fromKey("Issuers")),
  subjects: LenientArray(Schema.String).pipe(Schema.fromKey("Subjects")),
  serialNumber: Schema.optional(Schema.String).pipe(Schema.fromKey("SerialNumber")),
  validFrom: Schema.optional(Schema.String).pipe(Schema.fromKey("ValidFrom")),
  validTo: Schema.optional(Schema.String).pipe(Schema.fromKey("ValidTo"))
}) {}

/** An uploaded certificate (the 2017 answer or the current clients' longer one, keys in any case). */
export const Certificate = Schema.compose(
  CanonicalKeys(
    [
      "CertificateId",
      "CertificateName",
      "SubscriptionId",
      "State",
      "Thumbprint",
      "Issuers",
      "Subjects",
      "SerialNumber",
      "ValidFrom",
      "ValidTo"
    ],
    { Name: "CertificateName" }
  ),
  CertificateShape
)
export type Certificate = CertificateShape

/** How the CDN reaches the origin once HTTPS is on. */
export const OriginProtocols = ["Http", "Https", "FollowRequest"] as const

/** `bindCertificate` input. */
export const BindCertificateInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  certificateId: Schema.Trim.pipe(Schema.nonEmptyString({ message: () => "certificateId is required" })),
  originProtocol: Schema.optional(OneOf(OriginProtocols, "originProtocol")),
  autoHttpsRedirect: Schema.optional(Schema.Boolean)
})
export type BindCertificateInput = typeof BindCertificateInput.Encoded

export const bindBody = (input: typeof BindCertificateInput.Type) => ({
  CertificateId: input.certificateId,
  EndpointId: input.endpointId,
  ...(input.originProtocol === undefined ? {} : { OriginProtocol: input.originProtocol }),
  ...(input.autoHttpsRedirect === undefined ? {} : { AutoHttpsRedirect: input.autoHttpsRedirect })
})
