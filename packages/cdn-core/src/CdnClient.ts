/**
 * The client of the CDN API: a typed method per call of `CdnApi`, every call signed per attempt, retried by the
 * policy, answered with typed errors. One attempt goes over a `Transport`: any `HttpClient` by default, or a leaner
 * one on a hot path (the proxy).
 */
import { Effect, Either, FiberRef, LogLevel, Option, Schema } from "effect"
import { type AnyCall, type CallName, type Calls, calls, type InputOf, type OutputOf, pathOf } from "./CdnApi.js"
import { CdnConfig } from "./CdnConfig.js"
import type { CdnError, InvalidInput } from "./Errors.js"
import { type Attempted, type CdnResponse, invalidInput, makeRequester } from "./internal/request.js"
import { type Operation, OperationRef } from "./Operation.js"
import * as Retry from "./Retry.js"
import { Signer } from "./Signer.js"
import { fromHttpClient, Transport } from "./Transport.js"

export { apiVersion } from "./CdnApi.js"
export type { Attempted, CdnResponse } from "./internal/request.js"

/** The three IDs as strings, in any case: they are checked and lower-cased before anything is sent. */
export type OperationRefInput = typeof OperationRef.Encoded

const decodeRef = Schema.decodeUnknownEither(OperationRef)

/** Refuses IDs that are not GUIDs, naming the field. */
export const parseOperationRef = (input: OperationRefInput): Either.Either<OperationRef, InvalidInput> =>
  Either.mapLeft(decodeRef(input), invalidInput)

/**
 * A call's input checked as the client checks it before sending anything: the checked input, or the `InvalidInput`
 * naming the first problem (`files[3]: must not hold a '..' segment`). For a caller that must refuse early.
 */
export const checkInput = <C extends AnyCall>(call: C, input: unknown): Either.Either<unknown, InvalidInput> =>
  Either.mapLeft(Schema.decodeUnknownEither(call.input, { errors: "first" })(input), invalidInput)

/** The path of the get-operation call. */
export const operationPath = (ref: OperationRef): string => pathOf(calls.getOperation, ref)

/** A method per call: the decoded answer. */
export type CallMethods = {
  readonly [K in CallName]: (input: InputOf<Calls[K]>) => Effect.Effect<OutputOf<Calls[K]>, CdnError>
}

/** The client's service: a method per call, and the same calls with their response details. */
export interface CdnClientShape extends CallMethods {
  /** Any call of `CdnApi` with the status, correlation id and raw body of its answer (what a proxy forwards). */
  readonly request: <C extends AnyCall>(call: C, input: InputOf<C>) => Effect.Effect<CdnResponse<OutputOf<C>>, CdnError>
  /**
   * `request` for a caller that must not start a fiber per call (a proxy): with a transport that has `dispatch`, the
   * first attempt runs on its callback and a success comes to `done` as `Answered`, no fiber involved. Anything else
   * comes as `Continue`: the rest of the call (retries, a corrected date, or all of it) as an effect to run.
   */
  readonly requestByCallback: <C extends AnyCall>(
    call: C,
    input: InputOf<C>,
    done: (attempted: Attempted<OutputOf<C>>) => void
  ) => void
  /** The operation with its response details. */
  readonly getOperationResponse: (ref: OperationRefInput) => Effect.Effect<CdnResponse<Operation>, CdnError>
}

/** Builds the client from `CdnConfig`, `Signer` and a `Transport`; a `Retry.Policy` in the context replaces the default. */
const make = Effect.gen(function* () {
  const config = yield* CdnConfig
  const signer = yield* Signer
  const transport = yield* Transport
  const policy = Option.getOrElse(yield* Effect.serviceOption(Retry.Policy), () => Retry.policy(config.retry))
  // The callback path reads the clock and the log level the client was built with (it runs on no fiber).
  const clock = yield* Effect.clock
  const level = yield* FiberRef.get(FiberRef.currentMinimumLogLevel)
  const { request, requestByCallback } = makeRequester(config, signer, transport, policy, {
    now: () => clock.unsafeCurrentTimeMillis(),
    debug: LogLevel.lessThanEqual(level, LogLevel.Debug)
  })

  const methods = {} as Record<CallName, (input: unknown) => Effect.Effect<unknown, CdnError>>
  for (const name of Object.keys(calls) as Array<CallName>) {
    const call: AnyCall = calls[name]
    methods[name] = (input) => Effect.map(request(call, input), (response) => response.value)
  }
  const shape: CdnClientShape = {
    ...(methods as unknown as CallMethods),
    request: (call, input) => request(call, input),
    requestByCallback: (call, input, done) => requestByCallback(call, input, done),
    getOperationResponse: (ref) => request(calls.getOperation, ref)
  }
  return shape
})

/**
 * The CDN API client. `CdnClient.Default` needs `CdnConfig` and an `HttpClient`;
 * `CdnClient.DefaultWithoutDependencies` needs `CdnConfig`, a `Signer` and a `Transport`.
 */
export class CdnClient extends Effect.Service<CdnClient>()("@org/cdn-core/CdnClient", {
  effect: make,
  dependencies: [Signer.Default, fromHttpClient]
}) {}
