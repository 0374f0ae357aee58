/**
 * What kind of failure an error is, for a caller that must pick an exit code, an HTTP status or a next step.
 */
import type { CdnError } from "./Errors.js"

/**
 * - `invalid-input`: refused before anything was sent (an ID that is not a GUID).
 * - `not-found`: the subscription, endpoint or operation does not exist, or they do not belong together.
 * - `authentication`: the service did not accept the key, the signature or the request date.
 * - `permission`: the key is valid but may not do this.
 * - `rejected`: the service refused the request itself (a parameter, an inactive endpoint, an item path).
 * - `throttled`: the service asked the caller to slow down.
 * - `unavailable`: no usable answer: no connection, no answer in time, a gateway page, a 5xx.
 * - `service`: something at the service's address answered in a way no retry can fix (a redirect).
 * - `unknown`: the service answered an error type the documents do not list.
 */
export type ErrorCategory =
  | "invalid-input"
  | "not-found"
  | "authentication"
  | "permission"
  | "rejected"
  | "throttled"
  | "unavailable"
  | "service"
  | "unknown"

/** The category of a failed call; exhaustive over `CdnError`, so a new error type must be placed here. */
export const categoryOf = (error: CdnError): ErrorCategory => {
  switch (error._tag) {
    case "InvalidInput":
      return "invalid-input"
    case "SubscriptionNotFound":
    case "EndpointNotFound":
    case "EndpointDoesNotBelongToSubscription":
      return "not-found"
    // The documents name no error for an unknown operation; a 404 ParameterInvalid (the emulator's answer) is one.
    case "ParameterInvalid":
      return error.status === 404 ? "not-found" : "rejected"
    case "CredentialInvalid":
    case "MissingAuthorizationHeader":
    case "InvalidRequestDateHeader":
    case "MissingRequestDateHeader":
    case "AuthorizationHeaderExpired":
    case "InvalidAuthorizationHeader":
    case "ApiKeyNotFound":
    case "InvalidApiKey":
    case "WrongSignature":
      return "authentication"
    case "PermissionDenied":
      return "permission"
    case "ParameterMissing":
    case "EndpointNotInActiveState":
    case "MaliciousItemPathDetected":
      return "rejected"
    case "RequestThrottled":
      return "throttled"
    case "TransportError":
    case "RequestTimeout":
    case "UnreadableResponse":
    case "InternalError":
      return "unavailable"
    case "UnexpectedRedirect":
      return "service"
    case "UnknownServiceError":
      return error.status >= 500 ? "unavailable" : "unknown"
  }
}
