import { describe, expect, it } from "@effect/vitest"
import { categoryOf } from "../src/ErrorCategory.js"
import { ServiceErrorTypes } from "../src/ErrorInfo.js"
import { fromErrorInfo, InvalidInput, RequestTimeout, TransportError, unreadable } from "../src/Errors.js"

const facts = (status: number) => ({ status, correlationId: "c", retryAfterMs: undefined, serverDate: undefined })

// Callers pick exit codes and HTTP statuses from the category: each documented type must land where a person expects.
const expected: Record<(typeof ServiceErrorTypes)[number], string> = {
  CredentialInvalid: "authentication",
  ParameterMissing: "rejected",
  ParameterInvalid: "rejected",
  MissingAuthorizationHeader: "authentication",
  InvalidRequestDateHeader: "authentication",
  MissingRequestDateHeader: "authentication",
  AuthorizationHeaderExpired: "authentication",
  InvalidAuthorizationHeader: "authentication",
  ApiKeyNotFound: "authentication",
  InvalidApiKey: "authentication",
  WrongSignature: "authentication",
  SubscriptionNotFound: "not-found",
  EndpointDoesNotBelongToSubscription: "not-found",
  EndpointNotInActiveState: "rejected",
  EndpointNotFound: "not-found",
  MaliciousItemPathDetected: "rejected",
  PermissionDenied: "permission",
  RequestThrottled: "throttled",
  InternalError: "unavailable"
}

describe("categoryOf", () => {
  it.each(ServiceErrorTypes)("%s", (type) => {
    expect(categoryOf(fromErrorInfo(type, null, facts(400)))).toBe(expected[type])
  })

  it("a ParameterInvalid answered with 404 is an operation that does not exist", () => {
    expect(categoryOf(fromErrorInfo("ParameterInvalid", "Operation x was not found.", facts(404)))).toBe("not-found")
  })

  it("an undocumented type is unknown, unless the status says the service is unavailable", () => {
    expect(categoryOf(fromErrorInfo("SomethingNew", null, facts(400)))).toBe("unknown")
    expect(categoryOf(fromErrorInfo("ServiceUnavailable", null, facts(503)))).toBe("unavailable")
  })

  it("no usable answer is unavailable; a local refusal is invalid input", () => {
    expect(categoryOf(unreadable("not-json", "<html>", facts(502)))).toBe("unavailable")
    expect(categoryOf(new TransportError({ message: "m", method: "GET", url: "u" }))).toBe("unavailable")
    expect(categoryOf(new RequestTimeout({ message: "m", method: "GET", url: "u", timeoutMs: 1 }))).toBe("unavailable")
    expect(categoryOf(new InvalidInput({ message: "m", field: "operationId" }))).toBe("invalid-input")
  })
})
