/**
 * The same calls for code that does not use Effect: `createCdnClient({...})` gives an object with an `async`
 * method per call, which rejects with a `CdnClientError` carrying the typed error's `_tag`, the service's
 * `ErrorInfo.Type`, the HTTP status and the correlation id.
 */
import { FetchHttpClient } from "@effect/platform"
import { Cause, ConfigError, Effect, Either, Exit, Layer, ManagedRuntime } from "effect"
import { type CallName, type Calls, calls, type InputOf, type OutputOf } from "./CdnApi.js"
import { CdnClient } from "./CdnClient.js"
import * as CdnConfig from "./CdnConfig.js"
import { categoryOf, type ErrorCategory } from "./ErrorCategory.js"
import { isServiceErrorType } from "./ErrorInfo.js"
import { type CdnError, InvalidInput } from "./Errors.js"
import type { OperationRef } from "./Operation.js"
import * as Waiter from "./Waiter.js"

/** Why a call failed: the typed error of `@org/cdn-core`, as an `Error`. */
export class CdnClientError extends Error {
  /** The typed error's tag: `WrongSignature`, `RequestThrottled`, `InvalidInput`, `WaitTimedOut`, … */
  readonly _tag: string
  /** What kind of failure: `not-found`, `authentication`, `throttled`, … (`timed-out` for a wait). */
  readonly category: ErrorCategory | "timed-out"
  /** The service's `ErrorInfo.Type`, when the service answered with one. */
  readonly type: string | undefined
  /** The HTTP status, when there was an answer. */
  readonly status: number | undefined
  /** The answer's `X-Correlation-Id`, to quote to support. */
  readonly correlationId: string | undefined
  /** For `InvalidInput`: the field refused. */
  readonly field: string | undefined
  /** The typed error itself. */
  readonly error: CdnError | Waiter.WaitTimedOut

  constructor(error: CdnError | Waiter.WaitTimedOut) {
    super(error.message)
    this.name = "CdnClientError"
    this.error = error
    this._tag = error._tag
    this.category = error._tag === "WaitTimedOut" ? "timed-out" : categoryOf(error)
    this.type =
      error._tag === "UnknownServiceError" ? error.errorType : isServiceErrorType(error._tag) ? error._tag : undefined
    this.status = "status" in error ? error.status : undefined
    this.correlationId = "correlationId" in error ? error.correlationId : undefined
    this.field = error._tag === "InvalidInput" ? error.field : undefined
  }
}

/** The client's settings: the key, and any setting to change from the defaults. */
export interface CdnClientOptions extends CdnConfig.CdnConfigInput {
  /** The `fetch` to use; default the global one. */
  readonly fetch?: typeof globalThis.fetch
}

type Methods = {
  readonly [K in CallName]: (input: InputOf<Calls[K]>) => Promise<OutputOf<Calls[K]>>
}

/** A method per call, the waiting helpers, and `close()` to release the connections. */
export interface PromiseCdnClient extends Methods {
  /** Polls until the operation is Succeeded or Failed. */
  readonly waitForOperation: (
    ref: typeof OperationRef.Encoded,
    options?: Omit<Waiter.WaitOptions, "onProgress">
  ) => Promise<Awaited<ReturnType<Methods["getOperation"]>>>
  /** Purges, waits, and returns the operation with the per-item results. */
  readonly purgeAndWait: (
    input: InputOf<Calls["purge"]>,
    options?: Omit<Waiter.WaitOptions, "onProgress">
  ) => Promise<Waiter.Finished<OutputOf<Calls["getPurge"]>>>
  /** Preloads, waits, and returns the operation with the per-item results. */
  readonly preloadAndWait: (
    input: InputOf<Calls["preload"]>,
    options?: Omit<Waiter.WaitOptions, "onProgress">
  ) => Promise<Waiter.Finished<OutputOf<Calls["getPreload"]>>>
  readonly close: () => Promise<void>
}

/** Builds a client; throws a `CdnClientError` (`InvalidInput`) when a setting is invalid. */
export const createCdnClient = (options: CdnClientOptions): PromiseCdnClient => {
  const config = CdnConfig.make(options)
  if (Either.isLeft(config)) {
    const field = ConfigError.isInvalidData(config.left) ? config.left.path.join(".") : "config"
    const why = ConfigError.isInvalidData(config.left) ? config.left.message : "invalid setting"
    throw new CdnClientError(new InvalidInput({ field, message: `${field}: ${why}` }))
  }
  const fetchLayer =
    options.fetch === undefined
      ? FetchHttpClient.layer
      : FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, options.fetch)))
  const runtime = ManagedRuntime.make(
    CdnClient.Default.pipe(Layer.provide(Layer.succeed(CdnConfig.CdnConfig, config.right)), Layer.provide(fetchLayer))
  )

  const run = <A>(effect: Effect.Effect<A, CdnError | Waiter.WaitTimedOut, CdnClient>): Promise<A> =>
    runtime.runPromiseExit(effect).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      const failure = Cause.failureOption(exit.cause)
      throw failure._tag === "Some" ? new CdnClientError(failure.value) : Cause.squash(exit.cause)
    })

  const methods = {} as Record<CallName, (input: unknown) => Promise<unknown>>
  for (const name of Object.keys(calls) as Array<CallName>) {
    methods[name] = (input) =>
      run(
        Effect.flatMap(CdnClient, (client) => (client[name] as (i: unknown) => Effect.Effect<unknown, CdnError>)(input))
      )
  }
  return {
    ...(methods as unknown as Methods),
    waitForOperation: (ref, waitOptions) => run(Waiter.waitForOperation(ref, waitOptions)),
    purgeAndWait: (input, waitOptions) => run(Waiter.purgeAndWait(input, waitOptions)),
    preloadAndWait: (input, waitOptions) => run(Waiter.preloadAndWait(input, waitOptions)),
    close: () => runtime.dispose()
  }
}
