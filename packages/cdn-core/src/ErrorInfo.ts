/**
 * The service's error body, `{"Succeeded": false, "ErrorInfo": {"Type", "Message"}}`, and its 19 documented types.
 */
import { Schema } from "effect"

/** The 19 documented `ErrorInfo.Type` values: the documentation's 18 in its order, then the description file's `InternalError`. */
export const ServiceErrorTypes = [
  "CredentialInvalid",
  "ParameterMissing",
  "ParameterInvalid",
  "MissingAuthorizationHeader",
  "InvalidRequestDateHeader",
  "MissingRequestDateHeader",
  "AuthorizationHeaderExpired",
  "InvalidAuthorizationHeader",
  "ApiKeyNotFound",
  "InvalidApiKey",
  "WrongSignature",
  "SubscriptionNotFound",
  "EndpointDoesNotBelongToSubscription",
  "EndpointNotInActiveState",
  "EndpointNotFound",
  "MaliciousItemPathDetected",
  "PermissionDenied",
  "RequestThrottled",
  "InternalError"
] as const
export type ServiceErrorType = (typeof ServiceErrorTypes)[number]

const knownTypes: ReadonlySet<string> = new Set(ServiceErrorTypes)

/** True for one of the 19 documented types. */
export const isServiceErrorType = (type: string): type is ServiceErrorType => knownTypes.has(type)

/**
 * The body of every error answer (and of a 2xx that says `"Succeeded": false`). `Type` stays open: an undocumented
 * type must still decode. `Succeeded` reads as `false` or `"false"`; keys are read in any case where answers are read.
 */
export const ErrorResponse = Schema.Struct({
  Succeeded: Schema.Union(Schema.Literal(false), Schema.Literal("false", "False", "FALSE")),
  ErrorInfo: Schema.Struct({
    Type: Schema.String,
    Message: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
  })
})
export type ErrorResponse = {
  readonly Succeeded: false
  readonly ErrorInfo: { readonly Type: string; readonly Message: string | null }
}

/** Builds the service's error body. */
export const errorResponse = (type: string, message: string | null): ErrorResponse => ({
  Succeeded: false,
  ErrorInfo: { Type: type, Message: message }
})

// The documents give no status per type; these are the ones the emulator and the proxy answer with.
const statusByType: Record<ServiceErrorType, number> = {
  CredentialInvalid: 401,
  ParameterMissing: 400,
  ParameterInvalid: 400,
  MissingAuthorizationHeader: 401,
  InvalidRequestDateHeader: 400,
  MissingRequestDateHeader: 400,
  AuthorizationHeaderExpired: 401,
  InvalidAuthorizationHeader: 401,
  ApiKeyNotFound: 401,
  InvalidApiKey: 401,
  WrongSignature: 401,
  SubscriptionNotFound: 404,
  EndpointDoesNotBelongToSubscription: 404,
  EndpointNotInActiveState: 409,
  EndpointNotFound: 404,
  MaliciousItemPathDetected: 400,
  PermissionDenied: 403,
  RequestThrottled: 429,
  InternalError: 500
}

/** The HTTP status that fits a documented error type. */
export const httpStatusOf = (type: ServiceErrorType): number => statusByType[type]
