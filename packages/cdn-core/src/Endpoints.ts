/**
 * Endpoints: the service's two published shapes read as one (`EndpointID`/`Setting` as documented,
 * `EndpointId`/`Settings` as the live service answers; keys in any case, booleans as `true` or `"true"`),
 * and the inputs of create and update.
 */
import { Arbitrary, ParseResult, Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { LenientBoolean, LenientNumber, NullableList } from "./internal/lenient.js"
import { hasControl } from "./internal/text.js"
import * as Wire from "./Wire.js"

/** `Web|Download|VOD|LiveStreaming|ImageProcessing`. */
export const ServiceTypes = ["Web", "Download", "VOD", "LiveStreaming", "ImageProcessing"] as const
export type ServiceType = (typeof ServiceTypes)[number]

/** Where an endpoint stands in its life; other values are kept as sent. */
export type LifetimeStatus =
  | "Normal"
  | "Creating"
  | "CreationFailed"
  | "Deleting"
  | "Deleted"
  | "Updating"
  | "Enabling"
  | "Disabling"
  | (string & {})

/** `IcpVerifying|IcpVerifyFailed|IcpVerified`; others are kept as sent. */
export type IcpVerifyStatus = "IcpVerifying" | "IcpVerifyFailed" | "IcpVerified" | (string & {})

const Open = <T extends string>() => Schema.String as unknown as Schema.Schema<T, string>

/** The origin's scheme and port. */
export class SchemePort extends Schema.Class<SchemePort>("SchemePort")({
  scheme: Schema.optional(Schema.String).pipe(Schema.fromKey("Scheme")),
  httpPort: Schema.optional(LenientNumber).pipe(Schema.fromKey("HttpPort")),
  httpsPort: Schema.optional(LenientNumber).pipe(Schema.fromKey("HttpsPort"))
}) {}

/** Where the CDN fetches from. */
export class Origin extends Schema.Class<Origin>("Origin")({
  addresses: Schema.propertySignature(NullableList(Schema.String)).pipe(Schema.fromKey("Addresses")),
  schemePort: Schema.optional(SchemePort).pipe(Schema.fromKey("SchemePort"))
}) {}

/** What the endpoint serves and how. */
export class EndpointSettings extends Schema.Class<EndpointSettings>("EndpointSettings")({
  customDomain: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("CustomDomain")),
  /** The host header sent to the origin. */
  host: Schema.optional(Schema.String).pipe(Schema.fromKey("Host")),
  origin: Schema.propertySignature(Origin).pipe(Schema.fromKey("Origin")),
  icp: Schema.optional(Schema.String).pipe(Schema.fromKey("ICP")),
  serviceType: Schema.optional(Open<ServiceType | (string & {})>()).pipe(Schema.fromKey("ServiceType")),
  allowedScheme: Schema.optional(Schema.String).pipe(Schema.fromKey("AllowedScheme")),
  /** The name to point a CNAME at, `<domain>.mschcdn.com`. */
  cname: Schema.optional(Schema.String).pipe(Schema.fromKey("CName"))
}) {}

/** Whether the endpoint serves, and where it stands. */
export class EndpointStatus extends Schema.Class<EndpointStatus>("EndpointStatus")({
  enabled: Schema.propertySignature(LenientBoolean).pipe(Schema.fromKey("Enabled")),
  icpVerifyStatus: Schema.optional(Open<IcpVerifyStatus>()).pipe(Schema.fromKey("IcpVerifyStatus")),
  lifetimeStatus: Schema.propertySignature(Open<LifetimeStatus>()).pipe(Schema.fromKey("LifetimeStatus")),
  cnameConfigured: Schema.optional(LenientBoolean).pipe(Schema.fromKey("CNameConfigured")),
  freeTrialExpired: Schema.optional(LenientBoolean).pipe(Schema.fromKey("FreeTrialExpired")),
  timeLastUpdated: Schema.optional(Schema.String).pipe(Schema.fromKey("TimeLastUpdated"))
}) {}

/** An endpoint in the live service's shape (`EndpointId`, `Settings`, `Status`); read in any case from either. */
export class EndpointShape extends Schema.Class<EndpointShape>("Endpoint")({
  endpointId: Schema.propertySignature(EndpointId).pipe(Schema.fromKey("EndpointId")),
  settings: Schema.propertySignature(EndpointSettings).pipe(Schema.fromKey("Settings")),
  status: Schema.propertySignature(EndpointStatus).pipe(Schema.fromKey("Status"))
}) {}

/** An endpoint; encodes the live shape. Answers are read with their keys in any case (see `CdnApi`). */
export const Endpoint = EndpointShape
export type Endpoint = EndpointShape

/** The list call answers a bare array (no paging). */
export const EndpointList = Schema.Array(Endpoint)

/** True once the endpoint serves and accepts writes: `Normal` and enabled. */
export const isActive = (endpoint: Endpoint): boolean =>
  endpoint.status.enabled && endpoint.status.lifetimeStatus === "Normal"

// A host name as DNS allows it; a custom domain may be a wildcard (`*.example.com`).
const hostLabel = "(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
const hostPattern = new RegExp(`^(${hostLabel}\\.)+${hostLabel}$`)
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/

/** True for a DNS host name (`a.example.com`), optionally a wildcard (`*.example.com`). */
export const isHostName = (text: string, wildcard = false): boolean =>
  text.length <= 253 && hostPattern.test(wildcard && text.startsWith("*.") ? text.slice(2) : text)

/** True for a wildcard domain, `*.example.com`. */
export const isWildcard = (domain: string): boolean => domain.startsWith("*.")

const HostName = (what: string, wildcard: boolean) =>
  Schema.String.pipe(
    Schema.filter((host) =>
      isHostName(host, wildcard) ? true : `${what} must be a host name such as cdn.example.com, got ${quoted(host)}`
    ),
    Schema.annotations({
      arbitrary: () => (fc) =>
        wildcard
          ? fc.oneof(
              fc.domain(),
              fc.domain().map((d) => `*.${d}`)
            )
          : fc.domain()
    })
  )

/** An origin: a host name or an IPv4 address. */
const OriginAddress = Schema.String.pipe(
  Schema.filter((address) =>
    isHostName(address) || ipv4.test(address)
      ? true
      : `an origin address must be a host name or an IPv4 address, got ${quoted(address)}`
  ),
  Schema.annotations({ arbitrary: () => (fc) => fc.oneof(fc.domain(), fc.ipV4()) })
)

const OriginAddresses = Schema.Array(OriginAddress).pipe(
  Schema.minItems(1, { message: () => "give at least one origin address" }),
  Schema.maxItems(20, { message: () => "at most 20 origin addresses" })
)

// Text as given: not empty, nothing around it, no control characters.
const Text = (what: string) =>
  Schema.String.pipe(
    Schema.filter((text) =>
      text.trim() === ""
        ? `${what} is required`
        : text !== text.trim() || hasControl(text)
          ? `${what} must not have spaces around it or control characters in it`
          : true
    ),
    Schema.annotations({
      arbitrary: () => (fc) =>
        fc
          .string({ minLength: 1, maxLength: 24 })
          .map((text) => text.trim())
          .filter((text) => text !== "")
    })
  )

/** `{"Addresses": [...]}` on the wire, the list itself in TypeScript. */
const OriginOnWire = Schema.transform(
  Wire.object({ addresses: Schema.propertySignature(OriginAddresses).pipe(Schema.fromKey("Addresses")) }),
  Schema.typeSchema(OriginAddresses),
  { strict: true, decode: (origin) => origin.addresses, encode: (addresses) => ({ addresses }) }
)

const CustomDomain = HostName("customDomain", true)
const Host = HostName("host", false)
const Icp = Text("icp: the domain's ICP filing number")
const ServiceType = Wire.OneOf(ServiceTypes)

// The host header defaults to the custom domain; a wildcard domain has no host to default to, so it needs one.
const withHost = <Fields extends { readonly customDomain: string; readonly host?: string | undefined }, I>(
  from: Schema.Schema<Fields, I>,
  hostKey: string
): Schema.Schema<Fields & { readonly host: string }, I> =>
  Schema.transformOrFail(from, Schema.typeSchema(from), {
    strict: false,
    decode: (fields, _, ast) =>
      fields.host !== undefined
        ? ParseResult.succeed(fields as Fields & { readonly host: string })
        : isWildcard(fields.customDomain)
          ? ParseResult.fail(
              new ParseResult.Pointer(
                hostKey,
                fields,
                new ParseResult.Type(
                  ast,
                  undefined,
                  `is required for a wildcard domain (${fields.customDomain}): the origin's host header cannot be a wildcard`
                )
              )
            )
          : ParseResult.succeed({ ...fields, host: fields.customDomain }),
    encode: ParseResult.succeed
  }).annotations({
    // Drawn as decoded: with the host filled in, a wildcard domain only with one of its own.
    arbitrary: () => () =>
      Arbitrary.make(Schema.typeSchema(from))
        .filter((fields) => fields.host !== undefined || !isWildcard(fields.customDomain))
        .map((fields) => ({ ...fields, host: fields.host ?? fields.customDomain }))
  }) as unknown as Schema.Schema<Fields & { readonly host: string }, I>

/**
 * `createEndpoint` input. The host header sent to the origin defaults to the custom domain; a wildcard domain
 * (`*.example.com`) needs it given. The service then reviews the ICP filing: the endpoint starts `Creating`.
 */
export const CreateEndpointInput = withHost(
  Schema.Struct({
    subscriptionId: SubscriptionId,
    /** The domain served, e.g. `cdn.example.com` or `*.example.com`. */
    customDomain: CustomDomain,
    /** The ICP filing number of the domain, e.g. `京ICP备16013159号`. */
    icp: Icp,
    originAddresses: OriginAddresses,
    /** The host header sent to the origin; default: the custom domain (required for a wildcard domain). */
    host: Schema.optional(Host),
    serviceType: ServiceType
  }),
  "host"
)
export type CreateEndpointInput = typeof CreateEndpointInput.Encoded

/** The create body, `{"CustomDomain", "Host", "ICP", "Origin": {"Addresses": [...]}, "ServiceType"}`. */
export const CreateEndpointPayload = withHost(
  Wire.object({
    customDomain: Schema.propertySignature(CustomDomain).pipe(Schema.fromKey("CustomDomain")),
    host: Schema.optional(Host).pipe(Schema.fromKey("Host")),
    icp: Schema.propertySignature(Icp).pipe(Schema.fromKey("ICP")),
    originAddresses: Schema.propertySignature(OriginOnWire).pipe(Schema.fromKey("Origin")),
    serviceType: Schema.propertySignature(ServiceType).pipe(Schema.fromKey("ServiceType"))
  }),
  "Host"
)

/** `updateEndpoint` input: only the origin and the host header can change; give one or both. */
export const UpdateEndpointInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  originAddresses: Schema.optional(OriginAddresses),
  host: Schema.optional(Host)
}).pipe(
  Schema.filter((input) =>
    input.originAddresses !== undefined || input.host !== undefined
      ? true
      : { path: ["originAddresses"], message: "give originAddresses, host or both: nothing else can be updated" }
  )
)
export type UpdateEndpointInput = typeof UpdateEndpointInput.Encoded

/** `Origin`, `HostHeader`, or both as `Origin,HostHeader` (the combined flag is in the current docs only). */
export const UpdateFlags = ["Origin", "HostHeader", "Origin,HostHeader"] as const
export type UpdateFlag = (typeof UpdateFlags)[number]

/** The flag that says which of the settings given change. */
export const updateFlagOf = (settings: { readonly originAddresses?: unknown; readonly host?: unknown }): UpdateFlag =>
  settings.originAddresses !== undefined && settings.host !== undefined
    ? "Origin,HostHeader"
    : settings.host !== undefined
      ? "HostHeader"
      : "Origin"

const UpdateOnWire = Wire.object({
  settings: Schema.propertySignature(
    Wire.object({
      host: Schema.optional(Host).pipe(Schema.fromKey("Host")),
      originAddresses: Schema.optional(OriginOnWire).pipe(Schema.fromKey("Origin"))
    })
  ).pipe(Schema.fromKey("EndpointSettings")),
  flag: Schema.propertySignature(Wire.OneOf(UpdateFlags)).pipe(Schema.fromKey("UpdateFlag"))
})

const UpdateSettings = Schema.Struct({
  originAddresses: Schema.optional(Schema.typeSchema(OriginAddresses)),
  host: Schema.optional(Schema.typeSchema(Host))
}).pipe(
  Schema.filter((settings) => settings.originAddresses !== undefined || settings.host !== undefined || "give one")
)

/**
 * The update body, `{"EndpointSettings": {"Host"?, "Origin"?: {"Addresses"}}, "UpdateFlag"}`. The flag must name
 * exactly the settings given: a flag that would change something absent, or leave something given unchanged, is
 * refused rather than guessed at.
 */
export const UpdateEndpointPayload = Schema.transformOrFail(UpdateOnWire, UpdateSettings, {
  strict: true,
  decode: (body, _, ast) => {
    const { settings, flag } = body
    if (settings.originAddresses === undefined && settings.host === undefined) {
      return ParseResult.fail(
        new ParseResult.Pointer("EndpointSettings", body, new ParseResult.Type(ast, body, "give Origin, Host or both"))
      )
    }
    const given = updateFlagOf(settings)
    return given === flag
      ? ParseResult.succeed({
          ...(settings.originAddresses === undefined ? {} : { originAddresses: settings.originAddresses }),
          ...(settings.host === undefined ? {} : { host: settings.host })
        })
      : ParseResult.fail(
          new ParseResult.Pointer(
            "UpdateFlag",
            body,
            new ParseResult.Type(ast, flag, `is ${flag}, but EndpointSettings gives what ${given} changes`)
          )
        )
  },
  encode: (settings) => ParseResult.succeed({ settings, flag: updateFlagOf(settings) })
})

/** What identifies a subscription. */
export const SubscriptionRef = Schema.Struct({ subscriptionId: SubscriptionId })
export type SubscriptionRef = typeof SubscriptionRef.Encoded

/** What identifies an endpoint. */
export const EndpointRef = Schema.Struct({ subscriptionId: SubscriptionId, endpointId: EndpointId })
export type EndpointRef = typeof EndpointRef.Encoded

/** The endpoint whose custom domain is `host` (any case), else one whose wildcard domain covers it. */
export const servingHost = (endpoints: ReadonlyArray<Endpoint>, host: string): Endpoint | undefined => {
  const name = host.toLowerCase().replace(/\.$/, "")
  const domainOf = (endpoint: Endpoint) => endpoint.settings.customDomain.toLowerCase()
  return (
    endpoints.find((endpoint) => domainOf(endpoint) === name) ??
    endpoints.find((endpoint) => {
      const domain = domainOf(endpoint)
      if (!isWildcard(domain) || !name.endsWith(domain.slice(1))) return false
      // `*` stands for exactly one label.
      const label = name.slice(0, name.length - domain.length + 1)
      return label !== "" && !label.includes(".")
    })
  )
}

/** The scheme the endpoint's URLs are written with: https when it serves https only (`AllowedScheme: Https`). */
export const schemeOf = (endpoint: Endpoint): "http" | "https" =>
  /^https$/i.test(endpoint.settings.allowedScheme?.trim() ?? "") ? "https" : "http"
