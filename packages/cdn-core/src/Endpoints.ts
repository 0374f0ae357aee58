/**
 * Endpoints: the service's two published shapes read as one (`EndpointID`/`Setting` as documented,
 * `EndpointId`/`Settings` as the live service answers; keys in any case, booleans as `true` or `"true"`),
 * and the inputs of create and update.
 */
import { Schema } from "effect"
import { quoted } from "./Errors.js"
import { EndpointId, SubscriptionId } from "./Ids.js"
import { CanonicalKeys, LenientArray, LenientBoolean, LenientNumber, OneOf } from "./internal/lenient.js"

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
  addresses: LenientArray(Schema.String).pipe(Schema.fromKey("Addresses")),
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

/** An endpoint in the live service's shape (`EndpointId`, `Settings`, `Status`). */
export class EndpointShape extends Schema.Class<EndpointShape>("Endpoint")({
  endpointId: Schema.propertySignature(EndpointId).pipe(Schema.fromKey("EndpointId")),
  settings: Schema.propertySignature(EndpointSettings).pipe(Schema.fromKey("Settings")),
  status: Schema.propertySignature(EndpointStatus).pipe(Schema.fromKey("Status"))
}) {}

// Every key of the shapes above, so that any casing reads; the documented spellings map onto the live ones.
const keys = [
  "EndpointId",
  "Settings",
  "Status",
  "CustomDomain",
  "Host",
  "Origin",
  "Addresses",
  "SchemePort",
  "Scheme",
  "HttpPort",
  "HttpsPort",
  "ICP",
  "ServiceType",
  "AllowedScheme",
  "CName",
  "Enabled",
  "IcpVerifyStatus",
  "LifetimeStatus",
  "CNameConfigured",
  "FreeTrialExpired",
  "TimeLastUpdated"
]

/** An endpoint, read from either published shape; encodes the live one. */
export const Endpoint = Schema.compose(CanonicalKeys(keys, { Setting: "Settings" }), EndpointShape)
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

const HostName = (what: string, wildcard: boolean) =>
  Schema.Trim.pipe(
    Schema.filter((host) =>
      isHostName(host, wildcard) ? true : `${what} must be a host name such as cdn.example.com, got ${quoted(host)}`
    )
  )

/** An origin: a host name or an IPv4 address. */
const OriginAddress = Schema.Trim.pipe(
  Schema.filter((address) =>
    isHostName(address) || ipv4.test(address)
      ? true
      : `an origin address must be a host name or an IPv4 address, got ${quoted(address)}`
  )
)

const OriginAddresses = Schema.Array(OriginAddress).pipe(
  Schema.minItems(1, { message: () => "give at least one origin address" }),
  Schema.maxItems(20, { message: () => "at most 20 origin addresses" })
)

/** `createEndpoint` input. The service then reviews the ICP filing: the endpoint starts `Creating`. */
export const CreateEndpointInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  /** The domain served, e.g. `cdn.example.com` or `*.example.com`. */
  customDomain: HostName("customDomain", true),
  /** The ICP filing number of the domain, e.g. `京ICP备16013159号`. */
  icp: Schema.Trim.pipe(Schema.nonEmptyString({ message: () => "icp: the domain's ICP filing number is required" })),
  originAddresses: OriginAddresses,
  /** The host header sent to the origin; default: the custom domain. */
  host: Schema.optional(HostName("host", false)),
  serviceType: OneOf(ServiceTypes, "serviceType")
})
export type CreateEndpointInput = typeof CreateEndpointInput.Encoded

/** The create body on the wire. */
export const CreateEndpointBody = Schema.Struct({
  CustomDomain: Schema.String,
  Host: Schema.String,
  ICP: Schema.String,
  Origin: Schema.Struct({ Addresses: Schema.Array(Schema.String) }),
  ServiceType: Schema.String
})
export type CreateEndpointBody = typeof CreateEndpointBody.Type

export const createEndpointBody = (input: typeof CreateEndpointInput.Type): CreateEndpointBody => ({
  CustomDomain: input.customDomain,
  Host: input.host ?? input.customDomain,
  ICP: input.icp,
  Origin: { Addresses: input.originAddresses },
  ServiceType: input.serviceType
})

/** `updateEndpoint` input: only the origin and the host header can change; give one or both. */
export const UpdateEndpointInput = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  originAddresses: Schema.optional(OriginAddresses),
  host: Schema.optional(HostName("host", false))
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

/** The update body on the wire. */
export const UpdateEndpointBody = Schema.Struct({
  EndpointSettings: Schema.Struct({
    Host: Schema.optional(Schema.String),
    Origin: Schema.optional(Schema.Struct({ Addresses: Schema.Array(Schema.String) }))
  }),
  UpdateFlag: Schema.Literal(...UpdateFlags)
})
export type UpdateEndpointBody = typeof UpdateEndpointBody.Type

export const updateEndpointBody = (input: typeof UpdateEndpointInput.Type): UpdateEndpointBody => ({
  EndpointSettings: {
    ...(input.host === undefined ? {} : { Host: input.host }),
    ...(input.originAddresses === undefined ? {} : { Origin: { Addresses: input.originAddresses } })
  },
  UpdateFlag:
    input.originAddresses !== undefined && input.host !== undefined
      ? "Origin,HostHeader"
      : input.host !== undefined
        ? "HostHeader"
        : "Origin"
})

/** What identifies a subscription. */
export const SubscriptionRef = Schema.Struct({ subscriptionId: SubscriptionId })
export type SubscriptionRef = typeof SubscriptionRef.Encoded

/** What identifies an endpoint. */
export const EndpointRef = Schema.Struct({ subscriptionId: SubscriptionId, endpointId: EndpointId })
export type EndpointRef = typeof EndpointRef.Encoded
