import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as ErrorInfo from "../src/ErrorInfo.js"
import * as Errors from "../src/Errors.js"

const facts: Errors.ResponseFacts = {
  status: 401,
  correlationId: "c0ffee00-0000-4000-8000-000000000001",
  retryAfterMs: 3000,
  serverDate: "Tue, 02 May 2017 06:34:07 GMT"
}
const noFacts: Errors.ResponseFacts = {
  status: 400,
  correlationId: undefined,
  retryAfterMs: undefined,
  serverDate: undefined
}

// Handles every case by name; it only compiles if no tag of CdnError is left unhandled.
const describeFailure = (effect: Effect.Effect<string, Errors.CdnError>): Effect.Effect<string> =>
  effect.pipe(
    Effect.catchTags({
      CredentialInvalid: (e) => Effect.succeed(e._tag),
      InternalError: (e) => Effect.succeed(e._tag),
      UnexpectedRedirect: (e) => Effect.succeed(e._tag),
      ParameterMissing: (e) => Effect.succeed(e._tag),
      ParameterInvalid: (e) => Effect.succeed(e._tag),
      MissingAuthorizationHeader: (e) => Effect.succeed(e._tag),
      InvalidRequestDateHeader: (e) => Effect.succeed(e._tag),
      MissingRequestDateHeader: (e) => Effect.succeed(e._tag),
      AuthorizationHeaderExpired: (e) => Effect.succeed(e._tag),
      InvalidAuthorizationHeader: (e) => Effect.succeed(e._tag),
      ApiKeyNotFound: (e) => Effect.succeed(e._tag),
      InvalidApiKey: (e) => Effect.succeed(e._tag),
      WrongSignature: (e) => Effect.succeed(e._tag),
      SubscriptionNotFound: (e) => Effect.succeed(e._tag),
      EndpointDoesNotBelongToSubscription: (e) => Effect.succeed(e._tag),
      EndpointNotInActiveState: (e) => Effect.succeed(e._tag),
      EndpointNotFound: (e) => Effect.succeed(e._tag),
      MaliciousItemPathDetected: (e) => Effect.succeed(e._tag),
      PermissionDenied: (e) => Effect.succeed(e._tag),
      RequestThrottled: (e) => Effect.succeed(`${e._tag} ${e.retryAfterMs ?? "-"}`),
      UnknownServiceError: (e) => Effect.succeed(`${e._tag} ${e.errorType}`),
      UnreadableResponse: (e) => Effect.succeed(`${e._tag} ${e.reason}`),
      TransportError: (e) => Effect.succeed(`${e._tag} ${e.url}`),
      RequestTimeout: (e) => Effect.succeed(`${e._tag} ${e.timeoutMs}`),
      InvalidInput: (e) => Effect.succeed(`${e._tag} ${e.field}`)
    })
  )

describe("fromErrorInfo", () => {
  it("has a class for each of the 19 documented types (the docs' 18 and the description file's InternalError)", () => {
    expect(ErrorInfo.ServiceErrorTypes).toHaveLength(19)
    expect(Object.keys(Errors.ServiceErrors).sort()).toEqual([...ErrorInfo.ServiceErrorTypes].sort())
  })

  it.each(ErrorInfo.ServiceErrorTypes)("maps %s to its own class, with the response's facts", (type) => {
    const error = Errors.fromErrorInfo(type, "The service's own words.", facts)
    expect(error).toBeInstanceOf(Errors.ServiceErrors[type])
    expect(error._tag).toBe(type)
    expect(error.message).toContain(type)
    expect(error.message).toContain("The service's own words.")
    expect(error.message).toContain(facts.correlationId)
    expect(error).toMatchObject({
      serviceMessage: "The service's own words.",
      status: 401,
      correlationId: facts.correlationId,
      retryAfterMs: 3000,
      serverDate: facts.serverDate
    })
  })

  it("leaves out facts the response did not have", () => {
    const error = Errors.fromErrorInfo("ParameterMissing", null, noFacts)
    expect(error.message).not.toContain("correlation")
    expect(error.message).not.toContain("null")
    expect("correlationId" in error).toBe(false)
    expect("retryAfterMs" in error).toBe(false)
    expect("serverDate" in error).toBe(false)
    expect(error.serviceMessage).toBeNull()
  })

  it("says what to do about it", () => {
    expect(Errors.fromErrorInfo("WrongSignature", null, facts).message).toContain("AZURE_CDN_KEY_VALUE")
    expect(Errors.fromErrorInfo("AuthorizationHeaderExpired", null, facts).message).toContain("clock")
  })

  it("maps an undocumented type to UnknownServiceError, keeping the type", () => {
    const error = Errors.fromErrorInfo("QuotaExceeded", "Too many purges today.", { ...facts, status: 403 })
    expect(error).toBeInstanceOf(Errors.UnknownServiceError)
    expect(error._tag).toBe("UnknownServiceError")
    expect(error).toMatchObject({ errorType: "QuotaExceeded", status: 403, correlationId: facts.correlationId })
    expect(error.message).toContain("QuotaExceeded")
    expect(error.message).toContain("403")
    expect(error.message).toContain(facts.correlationId)
  })

  it("does not take names of Object's prototype for documented types", () => {
    for (const type of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const error = Errors.fromErrorInfo(type, null, facts)
      expect(error._tag).toBe("UnknownServiceError")
      expect(error).toMatchObject({ errorType: type })
    }
  })
})

describe("unreadable", () => {
  it("describes an HTML page from a gateway by its start, on one line", () => {
    const html = "<html>\n  <head><title>502 Bad Gateway</title></head>\n  <body>nginx</body>\n</html>"
    const error = Errors.unreadable("not-json", html, { ...facts, status: 502 })
    expect(error._tag).toBe("UnreadableResponse")
    expect(error.reason).toBe("not-json")
    expect(error.status).toBe(502)
    expect(error.excerpt).toBe("<html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html>")
    expect(error.message).toContain("HTTP 502")
    expect(error.message).toContain("not JSON")
    expect(error.message).toContain("502 Bad Gateway")
    expect(error.message).toContain(facts.correlationId)
    expect(error.correlationId).toBe(facts.correlationId)
    expect(error.retryAfterMs).toBe(3000)
  })

  it("describes an empty body", () => {
    const error = Errors.unreadable("empty", "", { ...noFacts, status: 503 })
    expect(error.reason).toBe("empty")
    expect(error.excerpt).toBe("")
    expect(error.message).toBe("the service answered HTTP 503 with an empty body")
  })

  it("describes JSON of an unexpected shape", () => {
    const error = Errors.unreadable("unexpected-shape", '{"hello":"world"}', { ...noFacts, status: 200 })
    expect(error.message).toContain("not the documented shape")
    expect(error.excerpt).toBe('{"hello":"world"}')
  })

  it("keeps only the start of a long body", () => {
    const error = Errors.unreadable("not-json", "x".repeat(10_000), { ...noFacts, status: 500 })
    expect(error.excerpt.length).toBeLessThanOrEqual(200)
    expect(error.message.length).toBeLessThan(200)
  })
})

describe("CdnError", () => {
  it.effect("can be caught by tag, every case by name", () =>
    Effect.gen(function* () {
      const fromService = yield* describeFailure(Effect.fail(Errors.fromErrorInfo("RequestThrottled", null, facts)))
      expect(fromService).toBe("RequestThrottled 3000")
      const unknown = yield* describeFailure(Effect.fail(Errors.fromErrorInfo("Nope", null, facts)))
      expect(unknown).toBe("UnknownServiceError Nope")
      const input = yield* describeFailure(
        Effect.fail(new Errors.InvalidInput({ field: "operationId", message: "operationId: not a GUID" }))
      )
      expect(input).toBe("InvalidInput operationId")
    })
  )

  it.effect("fails an effect as the error itself, with its message", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.fail(Errors.fromErrorInfo("EndpointNotFound", null, { ...facts, status: 404 }))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("EndpointNotFound")
    })
  )
})
