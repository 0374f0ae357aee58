/**
 * Every failure a caller can meet, as tagged errors: one per documented `ErrorInfo.Type`, and one for each
 * thing the documents do not promise (an unknown type, an unreadable answer, a dropped connection, a timeout).
 */
import { Schema } from "effect"
import type { ServiceErrorType } from "./ErrorInfo.js"

// What every error that came with an HTTP response carries.
const ResponseFields = {
  /** For a person: what happened and what to do about it. */
  message: Schema.String,
  /** The service's own `ErrorInfo.Message`. */
  serviceMessage: Schema.NullOr(Schema.String),
  /** The HTTP status of the response. */
  status: Schema.Number,
  /** The response's `X-Correlation-Id`, to quote to support. */
  correlationId: Schema.optional(Schema.String),
  /** The response's `Retry-After`, in milliseconds, when it had one. */
  retryAfterMs: Schema.optional(Schema.Number),
  /** The response's `Date` header: the service's clock. */
  serverDate: Schema.optional(Schema.String)
}

/** Invalid credentials. */
export class CredentialInvalid extends Schema.TaggedError<CredentialInvalid>()("CredentialInvalid", ResponseFields) {}
/** A required parameter is missing. */
export class ParameterMissing extends Schema.TaggedError<ParameterMissing>()("ParameterMissing", ResponseFields) {}
/** A parameter is invalid. */
export class ParameterInvalid extends Schema.TaggedError<ParameterInvalid>()("ParameterInvalid", ResponseFields) {}
/** The request had no `Authorization` header. */
export class MissingAuthorizationHeader extends Schema.TaggedError<MissingAuthorizationHeader>()(
  "MissingAuthorizationHeader",
  ResponseFields
) {}
/** The `x-azurecdn-request-date` header is not a valid date. */
export class InvalidRequestDateHeader extends Schema.TaggedError<InvalidRequestDateHeader>()(
  "InvalidRequestDateHeader",
  ResponseFields
) {}
/** The `x-azurecdn-request-date` header is missing. */
export class MissingRequestDateHeader extends Schema.TaggedError<MissingRequestDateHeader>()(
  "MissingRequestDateHeader",
  ResponseFields
) {}
/** The request date is too far from the service's clock. */
export class AuthorizationHeaderExpired extends Schema.TaggedError<AuthorizationHeaderExpired>()(
  "AuthorizationHeaderExpired",
  ResponseFields
) {}
/** The `Authorization` header is not `AzureCDN {keyId}:{signature}`. */
export class InvalidAuthorizationHeader extends Schema.TaggedError<InvalidAuthorizationHeader>()(
  "InvalidAuthorizationHeader",
  ResponseFields
) {}
/** The key ID is unknown to the service. */
export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()("ApiKeyNotFound", ResponseFields) {}
/** The API key is not valid. */
export class InvalidApiKey extends Schema.TaggedError<InvalidApiKey>()("InvalidApiKey", ResponseFields) {}
/** The signature did not match. */
export class WrongSignature extends Schema.TaggedError<WrongSignature>()("WrongSignature", ResponseFields) {}
/** The subscription does not exist. */
export class SubscriptionNotFound extends Schema.TaggedError<SubscriptionNotFound>()(
  "SubscriptionNotFound",
  ResponseFields
) {}
/** The endpoint exists, but in another subscription. */
export class EndpointDoesNotBelongToSubscription extends Schema.TaggedError<EndpointDoesNotBelongToSubscription>()(
  "EndpointDoesNotBelongToSubscription",
  ResponseFields
) {}
/** The endpoint is not active. */
export class EndpointNotInActiveState extends Schema.TaggedError<EndpointNotInActiveState>()(
  "EndpointNotInActiveState",
  ResponseFields
) {}
/** The endpoint does not exist. */
export class EndpointNotFound extends Schema.TaggedError<EndpointNotFound>()("EndpointNotFound", ResponseFields) {}
/** The service judged an item path malicious. */
export class MaliciousItemPathDetected extends Schema.TaggedError<MaliciousItemPathDetected>()(
  "MaliciousItemPathDetected",
  ResponseFields
) {}
/** The key lacks the permission. */
export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", ResponseFields) {}
/** The service is throttling this caller. */
export class RequestThrottled extends Schema.TaggedError<RequestThrottled>()("RequestThrottled", ResponseFields) {}
/** The service failed inside (the description file's 19th type). */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", ResponseFields) {}

/** The service's address answered with a redirect: never followed, since nothing may go to another host. */
export class UnexpectedRedirect extends Schema.TaggedError<UnexpectedRedirect>()("UnexpectedRedirect", {
  message: Schema.String,
  status: Schema.Number,
  /** The host the redirect pointed at (not the whole URL, which may carry anything). */
  locationHost: Schema.optional(Schema.String),
  correlationId: Schema.optional(Schema.String)
}) {}

/** The service answered with an `ErrorInfo.Type` that the documents do not list. */
export class UnknownServiceError extends Schema.TaggedError<UnknownServiceError>()("UnknownServiceError", {
  ...ResponseFields,
  errorType: Schema.String
}) {}

/** The response was not the documented JSON: an HTML page from a gateway, an empty or a truncated body. */
export class UnreadableResponse extends Schema.TaggedError<UnreadableResponse>()("UnreadableResponse", {
  message: Schema.String,
  status: Schema.Number,
  reason: Schema.Literal("empty", "not-json", "unexpected-shape"),
  /** The start of the body, to see what answered. */
  excerpt: Schema.String,
  correlationId: Schema.optional(Schema.String),
  retryAfterMs: Schema.optional(Schema.Number)
}) {}

/** No (complete) response: the connection was refused, reset or dropped, the host unknown, TLS refused. */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  message: Schema.String,
  method: Schema.String,
  url: Schema.String,
  /** The socket's error code (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, …) when there was one. */
  code: Schema.optional(Schema.String),
  /** The status of an answer that broke off after its headers. */
  status: Schema.optional(Schema.Number),
  /** The correlation id of an answer that broke off after its headers. */
  correlationId: Schema.optional(Schema.String)
}) {}

/** One attempt took longer than the per-attempt timeout. */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", {
  message: Schema.String,
  method: Schema.String,
  url: Schema.String,
  timeoutMs: Schema.Number
}) {}

/** An input was refused before anything was sent (an ID that is not a GUID). */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String,
  field: Schema.String
}) {}

/** The 19 documented error types, each its own class. */
export const ServiceErrors = {
  CredentialInvalid,
  ParameterMissing,
  ParameterInvalid,
  MissingAuthorizationHeader,
  InvalidRequestDateHeader,
  MissingRequestDateHeader,
  AuthorizationHeaderExpired,
  InvalidAuthorizationHeader,
  ApiKeyNotFound,
  InvalidApiKey,
  WrongSignature,
  SubscriptionNotFound,
  EndpointDoesNotBelongToSubscription,
  EndpointNotInActiveState,
  EndpointNotFound,
  MaliciousItemPathDetected,
  PermissionDenied,
  RequestThrottled,
  InternalError
} as const satisfies Record<ServiceErrorType, unknown>

/** An error the service reported with one of its 19 documented types. */
export type ServiceError = InstanceType<(typeof ServiceErrors)[ServiceErrorType]>

/** Any error that came with an HTTP response. */
export type ResponseError = ServiceError | UnknownServiceError | UnreadableResponse | UnexpectedRedirect

/** Every failure of a call to the service. `Effect.catchTags` over it can name every case. */
export type CdnError = ResponseError | TransportError | RequestTimeout | InvalidInput

// What to do about each documented type, for a person reading the message.
const advice: Record<ServiceErrorType, string> = {
  CredentialInvalid:
    "check the key ID and key value (AZURE_CDN_KEY_ID, AZURE_CDN_KEY_VALUE) in the portal's key management",
  ParameterMissing: "a required parameter is missing from the request",
  ParameterInvalid: "a parameter of the request is invalid: check the IDs and apiVersion=1.0",
  MissingAuthorizationHeader: "the request was not signed: set the key ID and key value",
  InvalidRequestDateHeader: "x-azurecdn-request-date must be the UTC time as 'yyyy-MM-dd HH:mm:ss'",
  MissingRequestDateHeader: "the request was sent without x-azurecdn-request-date",
  AuthorizationHeaderExpired: "the request date is too far from the service's clock: check this machine's clock (NTP)",
  InvalidAuthorizationHeader: "the Authorization header must be 'AzureCDN {keyId}:{signature}'",
  ApiKeyNotFound: "the service does not know this key ID: check AZURE_CDN_KEY_ID",
  InvalidApiKey: "the API key is not valid (revoked or disabled?): create one in the portal's key management",
  WrongSignature: "the signature did not match: check that AZURE_CDN_KEY_VALUE is the value of AZURE_CDN_KEY_ID",
  SubscriptionNotFound: "no such subscription: check the subscription ID",
  EndpointDoesNotBelongToSubscription: "the endpoint is in another subscription: check both IDs",
  EndpointNotInActiveState: "the endpoint is not active: enable it first",
  EndpointNotFound: "no such endpoint: check the endpoint ID",
  MaliciousItemPathDetected: "the service refused an item path as malicious: check the URLs sent",
  PermissionDenied: "this key may not do this: check its permissions in key management",
  RequestThrottled: "the service is throttling requests: slow down and retry later",
  InternalError: "the service failed inside: retry later, and quote the correlation id to support if it persists"
}

/** What a response said, as read by the client. */
export interface ResponseFacts {
  readonly status: number
  readonly correlationId: string | undefined
  readonly retryAfterMs: number | undefined
  readonly serverDate: string | undefined
}

/** The longest piece of outside text (a service message, an echoed value, a body excerpt) put in a message. */
export const maxQuoted = 300

/** `text` cut to `max` characters with `… (N more characters)`, so that no line grows with what it quotes. */
export const bounded = (text: string, max = maxQuoted): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`

/** A value echoed in a message: as JSON, bounded. */
export const quoted = (value: unknown): string => bounded(JSON.stringify(value) ?? String(value), 120)

const withCorrelation = (text: string, correlationId: string | undefined): string =>
  correlationId === undefined ? text : `${text} (correlation id ${correlationId})`

// Optional fields are left out rather than set to undefined (exactOptionalPropertyTypes).
const optionalFacts = (facts: ResponseFacts) => ({
  ...(facts.correlationId === undefined ? {} : { correlationId: facts.correlationId }),
  ...(facts.retryAfterMs === undefined ? {} : { retryAfterMs: facts.retryAfterMs }),
  ...(facts.serverDate === undefined ? {} : { serverDate: facts.serverDate })
})

/** The typed error for an `ErrorInfo` the service answered with. */
export const fromErrorInfo = (
  type: string,
  serviceMessage: string | null,
  facts: ResponseFacts
): ServiceError | UnknownServiceError => {
  const said = serviceMessage === null || serviceMessage === "" ? "" : `: ${bounded(serviceMessage)}`
  const fields = { serviceMessage, status: facts.status, ...optionalFacts(facts) }
  if (Object.hasOwn(advice, type)) {
    const known = type as ServiceErrorType
    const message = withCorrelation(`${known}${said} (${advice[known]})`, facts.correlationId)
    return new ServiceErrors[known]({ ...fields, message })
  }
  const message = withCorrelation(
    `the service answered HTTP ${facts.status} with undocumented error type ${bounded(type, 80)}${said}`,
    facts.correlationId
  )
  return new UnknownServiceError({ ...fields, errorType: type, message })
}

/** The typed error for a response whose body is not the documented JSON; `problem` names the field and value. */
export const unreadable = (
  reason: UnreadableResponse["reason"],
  body: string,
  facts: ResponseFacts,
  problem?: string
): UnreadableResponse => {
  const excerpt = body.slice(0, 200).replace(/\s+/g, " ").trim()
  const what =
    reason === "empty"
      ? "an empty body"
      : reason === "not-json"
        ? `a body that is not JSON${excerpt === "" ? "" : `: ${excerpt.slice(0, 80)}`}`
        : `JSON that is not the documented shape${problem === undefined ? "" : ` (${bounded(problem)})`}`
  const message = withCorrelation(`the service answered HTTP ${facts.status} with ${what}`, facts.correlationId)
  const { serverDate: _ignored, ...facts_ } = optionalFacts(facts)
  return new UnreadableResponse({ message, status: facts.status, reason, excerpt, ...facts_ })
}

/** The typed error for a 3xx: the host it pointed at is named, nothing is followed. */
export const redirected = (status: number, location: string | undefined, correlationId: string | undefined) => {
  let locationHost: string | undefined
  try {
    locationHost = location === undefined ? undefined : new URL(location, "http://service.invalid").host
  } catch {
    locationHost = undefined
  }
  const where = locationHost === undefined ? "" : ` to ${bounded(locationHost, 100)}`
  return new UnexpectedRedirect({
    status,
    message: withCorrelation(
      `the service's address answered HTTP ${status}, a redirect${where}; it is not followed (nothing is sent to another host): check the base URL`,
      correlationId
    ),
    ...(locationHost === undefined ? {} : { locationHost }),
    ...(correlationId === undefined ? {} : { correlationId })
  })
}
