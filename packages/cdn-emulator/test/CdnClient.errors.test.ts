import { Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CdnClient, ErrorInfo, type Errors } from "@org/cdn-core"
import { Effect } from "effect"
import type { Emulator } from "../src/Emulator.js"
import {
  control,
  failureOf,
  otherEndpoint,
  otherSubscription,
  rebuild,
  requestLog,
  resignedAfter,
  type Setup,
  seed,
  seedRefUpper,
  setFaults,
  successOf,
  withEmulator,
  withoutDateHeader
} from "./support.js"

// The client puts the query in the URL itself: a test that changes it replaces the URL's query.
const withQuery = (search: string) => (request: HttpClientRequest.HttpClientRequest) =>
  HttpClientRequest.setUrl(request, `${request.url.replace(/\?.*$/, "")}${search}`)

// A body the client itself would never send (it refuses such URLs first), put in after it signed the request.
const withBody = (body: unknown) => (request: HttpClientRequest.HttpClientRequest) =>
  HttpClientRequest.bodyText(request, JSON.stringify(body), "application/json")

type Ref = CdnClient.OperationRefInput

interface Case {
  readonly type: ErrorInfo.ServiceErrorType
  readonly status: number
  /** How the user gets there. */
  readonly how: string
  readonly setup?: Setup
  readonly ref?: Ref
  /** Control API calls before the call under test. */
  readonly prepare?: Effect.Effect<unknown, never, Emulator>
  /** The call under test, when it is not get-operation. */
  readonly run?: (client: CdnClient.CdnClient) => Effect.Effect<unknown, Errors.CdnError>
}

const stripHeader = (name: string) => (client: HttpClient.HttpClient) =>
  HttpClient.mapRequest(client, (request) => rebuild(request, { headers: Headers.remove(request.headers, name) }))

const setHeader = (name: string, value: string) => (client: HttpClient.HttpClient) =>
  HttpClient.mapRequest(client, HttpClientRequest.setHeader(name, value))

const injected = (type: string) => setFaults({ error: { every: 1, type } })

const createEndpoint = (body: unknown) =>
  Effect.flatMap(control("POST", "/_emulator/endpoints", body), (answer) =>
    answer.status === 201 ? Effect.void : Effect.die(`POST /_emulator/endpoints answered ${answer.status}`)
  )

// Every documented type but RequestThrottled (the one that is retried, tested on its own below).
const cases: ReadonlyArray<Case> = [
  {
    type: "MissingAuthorizationHeader",
    status: 401,
    how: "a proxy strips Authorization",
    setup: { wrap: stripHeader("authorization") }
  },
  {
    type: "MissingRequestDateHeader",
    status: 400,
    how: "a proxy strips x-azurecdn-request-date",
    setup: { wrap: stripHeader("x-azurecdn-request-date") }
  },
  {
    type: "InvalidRequestDateHeader",
    status: 400,
    how: "the date header is rewritten in ISO form",
    setup: { wrap: setHeader("x-azurecdn-request-date", "2024-06-01T08:00:00") }
  },
  {
    type: "InvalidAuthorizationHeader",
    status: 401,
    how: "the Authorization header is another scheme",
    setup: { wrap: setHeader("authorization", "SharedKey emulator-key:abc") }
  },
  {
    type: "ApiKeyNotFound",
    status: 401,
    how: "a key ID the service does not know",
    setup: { config: { keyId: "nope" } }
  },
  {
    type: "WrongSignature",
    status: 401,
    how: "the wrong key value",
    setup: { config: { keyValue: "not-the-secret" } }
  },
  {
    type: "AuthorizationHeaderExpired",
    status: 401,
    how: "the clocks are 20 minutes apart and the response has no Date to correct by",
    setup: { emulator: { clockOffset: "20 minutes" }, wrap: withoutDateHeader }
  },
  {
    type: "SubscriptionNotFound",
    status: 404,
    how: "an unknown subscription",
    ref: { ...seedRefUpper, subscriptionId: otherSubscription }
  },
  {
    type: "EndpointNotFound",
    status: 404,
    how: "an unknown endpoint",
    ref: { ...seedRefUpper, endpointId: otherEndpoint }
  },
  {
    type: "EndpointDoesNotBelongToSubscription",
    status: 404,
    how: "an endpoint of another subscription",
    prepare: createEndpoint({ SubscriptionId: otherSubscription, EndpointId: otherEndpoint }),
    ref: { ...seedRefUpper, endpointId: otherEndpoint }
  },
  {
    type: "EndpointNotInActiveState",
    status: 409,
    how: "a purge on a stopped endpoint",
    prepare: createEndpoint({ SubscriptionId: seed.subscriptionId, EndpointId: otherEndpoint, State: "Stopped" }),
    run: (client) =>
      client.purge({ subscriptionId: seed.subscriptionId, endpointId: otherEndpoint, files: ["http://a.example.cn/x"] })
  },
  {
    type: "PermissionDenied",
    status: 403,
    how: "a key limited to other subscriptions",
    setup: {
      emulator: { keys: [{ id: "emulator-key", value: "emulator-secret", subscriptions: [otherSubscription] }] }
    }
  },
  {
    type: "ParameterMissing",
    status: 400,
    how: "apiVersion dropped (and the request signed again)",
    setup: { wrap: resignedAfter(withQuery("")) }
  },
  {
    type: "ParameterInvalid",
    status: 400,
    how: "apiVersion=2.0 (and the request signed again)",
    setup: { wrap: resignedAfter(withQuery("?apiVersion=2.0")) }
  },
  { type: "CredentialInvalid", status: 401, how: "the error fault", prepare: injected("CredentialInvalid") },
  { type: "InvalidApiKey", status: 401, how: "the error fault", prepare: injected("InvalidApiKey") },
  {
    type: "MaliciousItemPathDetected",
    status: 400,
    how: "a purge of a URL with a `..` segment (sent by another client: this one refuses it first)",
    setup: { wrap: resignedAfter(withBody({ Files: ["http://file.example.cn/pictures/../../etc/passwd"] })) },
    run: (client) => client.purge({ ...seed, files: ["http://file.example.cn/pictures/a.png"] })
  }
]

describe("CdnClient against the emulator: every documented error type", () => {
  it("covers all 19 documented types (RequestThrottled here on its own, InternalError in the retry tests)", () => {
    const covered = new Set<string>([...cases.map((c) => c.type), "RequestThrottled", "InternalError"])
    expect([...covered].sort()).toEqual([...ErrorInfo.ServiceErrorTypes].sort())
  })

  for (const c of cases) {
    it.effect(`${c.type} (${c.status}): ${c.how}; typed, with its correlation ID, not retried`, () =>
      withEmulator(c.setup)(
        Effect.gen(function* () {
          if (c.prepare) yield* c.prepare
          const client = yield* CdnClient.CdnClient
          const error = yield* failureOf(c.run ? c.run(client) : client.getOperation(c.ref ?? seedRefUpper))
          expect(error._tag).toBe(c.type)
          const serviceError = error as Errors.ServiceError
          expect(serviceError.status).toBe(c.status)
          expect(serviceError.serviceMessage).toEqual(expect.any(String))

          // One request, refused with this type, whose correlation ID the error carries.
          const log = yield* requestLog
          expect(log).toHaveLength(1)
          expect(log[0]).toMatchObject({ status: c.status, outcome: c.type })
          expect(serviceError.correlationId).toBe(log[0]?.correlationId)
          expect(serviceError.message).toContain(serviceError.correlationId)
        })
      )
    )
  }

  it.effect("RequestThrottled (429) is retried to the attempt limit, then surfaces with its Retry-After", () =>
    withEmulator({ config: { retry: { maxAttempts: 3, maxElapsed: "1 minute" } } })(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { every: 1, retryAfterSeconds: 2 } })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("RequestThrottled")
        const throttled = error as Errors.RequestThrottled
        expect(throttled.status).toBe(429)
        expect(throttled.retryAfterMs).toBe(2000)
        const log = yield* requestLog
        expect(log.map((entry) => entry.outcome)).toEqual(["RequestThrottled", "RequestThrottled", "RequestThrottled"])
        // The error is the last attempt's.
        expect(throttled.correlationId).toBe(log[2]?.correlationId)
      })
    )
  )

  it.effect("PermissionDenied is not answered for a subscription the key may use", () =>
    withEmulator({
      emulator: { keys: [{ id: "emulator-key", value: "emulator-secret", subscriptions: [seed.subscriptionId] }] }
    })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        expect((yield* client.getOperation(seedRefUpper)).status).toBe("Succeeded")
      })
    )
  )
})

describe("CdnClient against the emulator: what the documents do not promise", () => {
  it.effect("an undocumented error type is an UnknownServiceError naming it, not retried", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ error: { every: 1, type: "QuotaExceeded", status: 400, message: "Too many purges." } })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("UnknownServiceError")
        const unknown = error as Errors.UnknownServiceError
        expect(unknown.errorType).toBe("QuotaExceeded")
        expect(unknown.serviceMessage).toBe("Too many purges.")
        expect(unknown.status).toBe(400)
        const log = yield* requestLog
        expect(log).toHaveLength(1)
        expect(unknown.correlationId).toBe(log[0]?.correlationId)
      })
    )
  )

  it.effect("an HTML 502 from a gateway is retried, then an UnreadableResponse (not-json, 502)", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ html: { every: 1 } })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("UnreadableResponse")
        const unreadable = error as Errors.UnreadableResponse
        expect(unreadable.reason).toBe("not-json")
        expect(unreadable.status).toBe(502)
        expect(unreadable.excerpt).toContain("502 Bad Gateway")
        const log = yield* requestLog
        // testRetry allows 3 attempts.
        expect(log.map((entry) => entry.outcome)).toEqual(["html", "html", "html"])
        expect(unreadable.correlationId).toBe(log[2]?.correlationId)
      })
    )
  )

  it.effect("an HTML 502 once, then the answer: the user sees only the answer", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ html: { times: 1 } })
        const client = yield* CdnClient.CdnClient
        const operation = yield* successOf(client.getOperation(seedRefUpper))
        expect(operation.status).toBe("Succeeded")
        expect((yield* requestLog).map((entry) => entry.outcome)).toEqual(["html", "ok"])
      })
    )
  )

  it.effect("truncated JSON is an UnreadableResponse (not-json, 200), not retried", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ truncate: { every: 1 } })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("UnreadableResponse")
        const unreadable = error as Errors.UnreadableResponse
        expect(unreadable.reason).toBe("not-json")
        expect(unreadable.status).toBe(200)
        expect(unreadable.excerpt.startsWith('{"Id":')).toBe(true)
        const log = yield* requestLog
        expect(log.map((entry) => entry.outcome)).toEqual(["truncate"])
        expect(unreadable.correlationId).toBe(log[0]?.correlationId)
      })
    )
  )

  it.effect("a dropped connection is a TransportError once the attempts are spent", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ drop: { every: 1 } })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("TransportError")
        const transport = error as Errors.TransportError
        expect(transport.method).toBe("GET")
        expect(transport.message).toContain("ECONNRESET")
        expect((yield* requestLog).map((entry) => entry.outcome)).toEqual(["drop", "drop", "drop"])
      })
    )
  )

  it.effect("a dropped connection within the retry budget is retried and the call succeeds", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ drop: { times: 2 } })
        const client = yield* CdnClient.CdnClient
        const operation = yield* successOf(client.getOperation(seedRefUpper))
        expect(operation.status).toBe("Succeeded")
        expect((yield* requestLog).map((entry) => entry.outcome)).toEqual(["drop", "drop", "ok"])
      })
    )
  )

  it.effect("an answer slower than the per-attempt timeout is a RequestTimeout", () =>
    withEmulator({ config: { attemptTimeout: "1 second", retry: { maxAttempts: 1 } } })(
      Effect.gen(function* () {
        yield* setFaults({ latencyMs: 5000 })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("RequestTimeout")
        const timeout = error as Errors.RequestTimeout
        expect(timeout.timeoutMs).toBe(1000)
        expect(timeout.url).toContain(seed.operationId)
      })
    )
  )

  it.effect("an answer slower than the timeout on every attempt: each attempt reached the emulator", () =>
    withEmulator({ config: { attemptTimeout: "1 second" } })(
      Effect.gen(function* () {
        yield* setFaults({ latencyMs: 5000 })
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation(seedRefUpper))
        expect(error._tag).toBe("RequestTimeout")
        expect((yield* requestLog).map((entry) => entry.outcome)).toEqual(["abandoned", "abandoned", "abandoned"])
      })
    )
  )

  it.effect("latency within the timeout only delays the answer", () =>
    withEmulator({ config: { attemptTimeout: "2 seconds" } })(
      Effect.gen(function* () {
        yield* setFaults({ latencyMs: 1500 })
        const client = yield* CdnClient.CdnClient
        const operation = yield* successOf(client.getOperation(seedRefUpper))
        expect(operation.status).toBe("Succeeded")
        expect(yield* requestLog).toHaveLength(1)
      })
    )
  )

  it.effect("an ID that is not a GUID is InvalidInput, and nothing reaches the service", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const error = yield* failureOf(client.getOperation({ ...seedRefUpper, endpointId: "my-endpoint" }))
        expect(error._tag).toBe("InvalidInput")
        const invalid = error as Errors.InvalidInput
        expect(invalid.field).toBe("endpointId")
        expect(invalid.message).toContain("my-endpoint")
        expect(yield* requestLog).toEqual([])
      })
    )
  )
})
