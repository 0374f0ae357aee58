/**
 * What the end-to-end tests share: a fresh in-process emulator per test with a CdnClient in front of it,
 * and small helpers to drive the control API and read the request log.
 */
import { type Headers, HttpClient, HttpClientRequest, HttpClientResponse, UrlParams } from "@effect/platform"
import { CdnClient, CdnConfig, Retry, Signer, Transport } from "@org/cdn-core"
import {
  Cause,
  Clock,
  Context,
  type Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  Layer,
  Option,
  Random,
  Redacted,
  TestClock
} from "effect"
import * as Emulator from "../src/Emulator.js"
import type { EmulatorOptions } from "../src/EmulatorOptions.js"
import * as InProcess from "../src/InProcess.js"
import type { RequestLogEntry } from "../src/RequestLog.js"
import { seed } from "../src/Store.js"

export const baseUrl = "https://restapi.cdn.azure.cn"
export const keyId = "emulator-key"
export const keyValue = "emulator-secret"

/** The seed document's IDs, in lower case as the emulator stores them. */
export { seed }

/** The seed IDs as a user may paste them: upper case. */
export const seedRefUpper = {
  subscriptionId: seed.subscriptionId.toUpperCase(),
  endpointId: seed.endpointId.toUpperCase(),
  operationId: seed.operationId.toUpperCase()
}

/** The seed's path as it must reach the service: lower case. */
export const seedPath = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}`

/** A start time after the seed operation ended (TestClock starts at 1970, when it had not even started). */
export const startTime = Date.parse("2024-06-01T08:00:00.000Z")

/** Retry limits small enough that a test adjusts the clock by seconds, not minutes. */
export const testRetry = {
  maxAttempts: 3,
  baseDelay: "100 millis",
  maxDelay: "1 second",
  maxElapsed: "30 seconds"
} satisfies CdnConfig.CdnConfigInput["retry"]

export interface Setup {
  readonly emulator?: EmulatorOptions
  readonly config?: Partial<CdnConfig.CdnConfigInput>
  /** Changes the client's requests or responses after CdnClient signed them (a broken proxy, a bad clock). */
  readonly wrap?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  /** Replaces the retry policy built from the config's limits. */
  readonly policy?: Retry.RetryPolicy
}

/** CdnClient in front of a fresh in-process emulator; the emulator and its HttpClient stay visible. */
export const clientLayer = (setup: Setup = {}) => {
  const { wrap } = setup
  const emulator = InProcess.layer(setup.emulator)
  const http =
    wrap === undefined
      ? emulator
      : Layer.effectContext(
          Effect.map(Effect.context<HttpClient.HttpClient | Emulator.Emulator>(), (context) =>
            Context.add(context, HttpClient.HttpClient, wrap(Context.get(context, HttpClient.HttpClient)))
          )
        ).pipe(Layer.provide(emulator))
  // A test's retry settings change testRetry field by field.
  const config = CdnConfig.layer({
    baseUrl,
    keyId,
    keyValue,
    ...setup.config,
    retry: { ...testRetry, ...setup.config?.retry }
  })
  const policy = setup.policy === undefined ? Layer.empty : Layer.succeed(Retry.Policy, setup.policy)
  // The in-process client, never a proxy the environment names: nothing here leaves the process.
  const client = CdnClient.CdnClient.DefaultWithoutDependencies.pipe(
    Layer.provide(Layer.merge(Signer.Signer.Default, Transport.fromHttpClientDirect))
  )
  return client.pipe(Layer.provide(config), Layer.provide(policy), Layer.provideMerge(http))
}

/** Runs a test body against a fresh emulator, at `startTime`, with seeded jitter. */
export const withEmulator =
  (setup: Setup = {}) =>
  <A, E>(body: Effect.Effect<A, E, CdnClient.CdnClient | HttpClient.HttpClient | Emulator.Emulator>) =>
    TestClock.setTime(startTime).pipe(
      Effect.zipRight(body),
      Effect.provide(clientLayer(setup)),
      Effect.withRandom(Random.make(20170502))
    )

/** The requests that reached the emulator's API. */
export const requestLog: Effect.Effect<ReadonlyArray<RequestLogEntry>, never, Emulator.Emulator> = Effect.map(
  Emulator.Emulator,
  (emulator) => [...emulator.log.all()]
)

export interface ControlAnswer {
  readonly status: number
  readonly json: unknown
  readonly text: string
}

/** Calls the control API through an unwrapped in-process client, whatever the test did to the client's. */
export const control = (
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown
): Effect.Effect<ControlAnswer, never, Emulator.Emulator> =>
  Effect.gen(function* () {
    const client = InProcess.httpClient(yield* Emulator.Emulator)
    const request = HttpClientRequest.make(method)(`${baseUrl}${path}`)
    const response = yield* client.execute(
      body === undefined
        ? request
        : typeof body === "string"
          ? HttpClientRequest.bodyText(request, body, "application/json")
          : HttpClientRequest.bodyUnsafeJson(request, body)
    )
    const text = yield* response.text
    return { status: response.status, json: text === "" ? undefined : JSON.parse(text), text }
  }).pipe(Effect.orDie)

/** Sets the emulator's faults through the control API. */
export const setFaults = (faults: unknown) =>
  Effect.flatMap(control("PUT", "/_emulator/faults", faults), (answer) =>
    answer.status === 200 ? Effect.void : Effect.die(`PUT /_emulator/faults answered ${answer.status}: ${answer.text}`)
  )

/** A client whose responses lose their `Date` header, as behind a proxy that strips it. */
export const withoutDateHeader = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, (effect) =>
    Effect.flatMap(effect, (response) =>
      Effect.map(response.text, (body) => {
        const headers = Object.entries(response.headers).filter(([name]) => name !== "date")
        return HttpClientResponse.fromWeb(
          response.request,
          new Response(body, { status: response.status, headers: headers as Array<[string, string]> })
        )
      })
    )
  )

/** Fresh GUIDs that differ from the seed's, fixed so that failures are reproducible. */
export const otherSubscription = "11111111-2222-4333-8444-555555555555"
export const otherEndpoint = "66666666-7777-4888-9999-aaaaaaaaaaaa"
export const otherOperation = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"

/** The same GET with other headers or query parameters: HttpClientRequest can add but not remove either. */
export const rebuild = (
  request: HttpClientRequest.HttpClientRequest,
  parts: { readonly headers?: Headers.Headers; readonly urlParams?: UrlParams.UrlParams }
): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method)(request.url, {
    headers: parts.headers ?? request.headers,
    urlParams: parts.urlParams ?? request.urlParams
  })

/** A client that changes each request after CdnClient signed it, then signs it again as a correct client would. */
export const resignedAfter =
  (change: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest) =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.mapRequestEffect(client, (request) =>
      Effect.gen(function* () {
        const changed = change(request)
        const url = Either.getOrThrow(UrlParams.makeUrl(changed.url, changed.urlParams, changed.hash))
        const date = Signer.formatRequestDate(yield* Clock.currentTimeMillis)
        const text = Signer.stringToSign({ path: url.pathname, query: url.searchParams, date, method: changed.method })
        return HttpClientRequest.setHeaders(changed, {
          [Signer.requestDateHeader]: date,
          authorization: `AzureCDN ${keyId}:${Signer.signature(Redacted.make(keyValue), text)}`
        })
      })
    )

/** Runs an effect in a fiber and moves the clock far enough for every retry to happen, then gives its exit. */
export const settle = <A, E, R>(effect: Effect.Effect<A, E, R>, by: Duration.DurationInput = "5 minutes") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(by)
    return yield* Fiber.await(fiber)
  })

/** The error an effect failed with, after letting every retry happen; dies if it succeeded. */
export const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>, by?: Duration.DurationInput) =>
  Effect.flatMap(settle(effect, by), (exit) =>
    Exit.match(exit, {
      onFailure: (cause) =>
        Option.match(Cause.failureOption(cause), {
          onNone: () => Effect.die(`expected a failure, got ${Cause.pretty(cause)}`),
          onSome: Effect.succeed
        }),
      onSuccess: (value) => Effect.die(`expected a failure, got ${JSON.stringify(value)}`)
    })
  )

/** The value an effect succeeded with, after letting every retry happen; dies if it failed. */
export const successOf = <A, E, R>(effect: Effect.Effect<A, E, R>, by?: Duration.DurationInput) =>
  Effect.flatMap(settle(effect, by), (exit) =>
    Exit.isSuccess(exit)
      ? Effect.succeed(exit.value)
      : Effect.die(`expected a success, got ${Cause.pretty(exit.cause)}`)
  )
