/**
 * The same calls for code that does not use Effect: `createCdnClient({...})` gives an object with an `async` method
 * per call. Every method takes an optional last argument `{ signal, timeout, onResponse }`; results are plain values
 * (times as `Date`); every rejection is a `CdnClientError` carrying the typed error's `_tag`, the service's
 * `ErrorInfo.Type`, the HTTP status and the correlation id.
 */
import { FetchHttpClient } from "@effect/platform"
import { Cause, ConfigError, Duration, Effect, Either, Exit, FiberRef, Layer, ManagedRuntime, Schema } from "effect"
import { type CallName, type Calls, calls, type InputOf, type OutputOf } from "./CdnApi.js"
import { CdnClient } from "./CdnClient.js"
import * as CdnConfig from "./CdnConfig.js"
import * as Durations from "./Durations.js"
import { categoryOf, type ErrorCategory } from "./ErrorCategory.js"
import { isServiceErrorType } from "./ErrorInfo.js"
import { type CdnError, InvalidInput, RequestTimeout } from "./Errors.js"
import { type Plain, toPlain } from "./internal/plain.js"
import type { OperationRef } from "./Operation.js"
import * as Signer from "./Signer.js"
import { fromHttpClient, Transport } from "./Transport.js"
import * as Waiter from "./Waiter.js"

export type { Plain } from "./internal/plain.js"

/** The caller's `AbortSignal` fired: the call was given up (a write may still have reached the service). */
export class Aborted extends Schema.TaggedError<Aborted>()("Aborted", { message: Schema.String }) {}

/** A failure no documented case covers (a bug): reported rather than thrown as something else. */
export class UnexpectedError extends Schema.TaggedError<UnexpectedError>()("UnexpectedError", {
  message: Schema.String
}) {}

type Failure = CdnError | Waiter.WaitTimedOut | Aborted | UnexpectedError

/** Why a call failed: the typed error of `@org/cdn-core`, as an `Error`. */
export class CdnClientError extends Error {
  /** The typed error's tag: `WrongSignature`, `RequestThrottled`, `InvalidInput`, `WaitTimedOut`, `Aborted`, … */
  readonly _tag: string
  /** What kind of failure: `not-found`, `authentication`, `throttled`, … (`timed-out` for a wait, `aborted`). */
  readonly category: ErrorCategory | "timed-out" | "aborted"
  /** The service's `ErrorInfo.Type`, when the service answered with one. */
  readonly type: string | undefined
  /** The HTTP status, when there was an answer. */
  readonly status: number | undefined
  /** The answer's `X-Correlation-Id`, to quote to support. */
  readonly correlationId: string | undefined
  /** For `InvalidInput`: the field (or option) refused. */
  readonly field: string | undefined
  /** The typed error itself. */
  readonly error: Failure

  constructor(error: Failure) {
    super(error.message)
    this.name = "CdnClientError"
    this.error = error
    this._tag = error._tag
    this.category =
      error._tag === "WaitTimedOut"
        ? "timed-out"
        : error._tag === "Aborted"
          ? "aborted"
          : error._tag === "UnexpectedError"
            ? "unknown"
            : categoryOf(error)
    this.type =
      error._tag === "UnknownServiceError" ? error.errorType : isServiceErrorType(error._tag) ? error._tag : undefined
    this.status = "status" in error ? error.status : undefined
    this.correlationId = "correlationId" in error ? error.correlationId : undefined
    this.field = error._tag === "InvalidInput" ? error.field : undefined
  }
}

/** One HTTP answer a call got (every attempt's, every poll's). */
export interface ResponseInfo {
  readonly status: number
  readonly correlationId?: string
  /** Header names in lower case. */
  readonly headers: Record<string, string>
}

/** What every method takes last, all optional. */
export interface CallOptions {
  /** Gives up the call: it rejects at once with `Aborted`. */
  readonly signal?: AbortSignal
  /** The call's deadline across all its attempts (a wait's, for the waiting methods): `30s`, `2m`, milliseconds. */
  readonly timeout?: string | number
  /** Called with every HTTP answer the call gets. */
  readonly onResponse?: (response: ResponseInfo) => void
}

/** The waiting methods' options: `CallOptions`, and the time between polls. */
export interface WaitCallOptions extends CallOptions {
  /** Time between polls: `2s` (the default), `500ms`, milliseconds. */
  readonly interval?: string | number
}

/** The client's settings: the key, and any setting to change from the defaults. */
export interface CdnClientOptions extends CdnConfig.CdnConfigInput {
  /** The `fetch` to use; default the global one. */
  readonly fetch?: typeof globalThis.fetch
}

type Methods = {
  readonly [K in CallName]: (input: InputOf<Calls[K]>, options?: CallOptions) => Promise<Plain<OutputOf<Calls[K]>>>
}

/** A finished purge or preload, as plain values. */
export type Finished<R> = Plain<Waiter.Finished<R>>

/** A method per call, the waiting helpers, and `close()` to release the connections. */
export interface PromiseCdnClient extends Methods {
  /** Polls until the operation is Succeeded or Failed (or reports an undocumented status). */
  readonly waitForOperation: (
    ref: typeof OperationRef.Encoded,
    options?: WaitCallOptions
  ) => Promise<Plain<OutputOf<Calls["getOperation"]>>>
  /** Purges, waits, and returns the operation with the per-item results. */
  readonly purgeAndWait: (
    input: InputOf<Calls["purge"]>,
    options?: WaitCallOptions
  ) => Promise<Finished<OutputOf<Calls["getPurge"]>>>
  /** Preloads, waits, and returns the operation with the per-item results. */
  readonly preloadAndWait: (
    input: InputOf<Calls["preload"]>,
    options?: WaitCallOptions
  ) => Promise<Finished<OutputOf<Calls["getPreload"]>>>
  readonly close: () => Promise<void>
}

// The `onResponse` of the call a fiber runs for: the transport tells it every answer.
const currentOnResponse = FiberRef.unsafeMake<((response: ResponseInfo) => void) | undefined>(undefined)

const reported = Layer.effect(
  Transport,
  Effect.map(Transport, (inner) => ({
    send: (request, timeoutMs) =>
      Effect.tap(inner.send(request, timeoutMs), (response) =>
        Effect.flatMap(FiberRef.get(currentOnResponse), (onResponse) => {
          if (onResponse === undefined) return Effect.void
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = value
          const correlationId = headers["x-correlation-id"]
          // The caller's callback must not break the call: what it throws is dropped.
          return Effect.sync(() =>
            onResponse({ status: response.status, headers, ...(correlationId === undefined ? {} : { correlationId }) })
          ).pipe(Effect.catchAllDefect(() => Effect.void))
        })
      )
  }))
).pipe(Layer.provide(fromHttpClient))

const refuse = (field: string, why: string) =>
  new CdnClientError(new InvalidInput({ field: `options.${field}`, message: `options.${field} ${why}` }))

interface Checked {
  readonly signal: AbortSignal | undefined
  readonly timeout: ReturnType<typeof Durations.decodePositive> | undefined
  readonly onResponse: ((response: ResponseInfo) => void) | undefined
  readonly interval: ReturnType<typeof Durations.decodePositive> | undefined
}

// The options checked before anything is sent; a `CdnClientError` naming the option otherwise.
const checkOptions = (options: unknown): Either.Either<Checked, CdnClientError> => {
  if (options === undefined)
    return Either.right({ signal: undefined, timeout: undefined, onResponse: undefined, interval: undefined })
  if (typeof options !== "object" || options === null) return Either.left(refuse("", "must be an object"))
  const { signal, timeout, onResponse, interval } = options as Record<string, unknown>
  if (signal !== undefined && !(signal instanceof AbortSignal))
    return Either.left(refuse("signal", "must be an AbortSignal"))
  if (onResponse !== undefined && typeof onResponse !== "function") {
    return Either.left(refuse("onResponse", "must be a function"))
  }
  const durations: Record<string, ReturnType<typeof Durations.decodePositive> | undefined> = {
    timeout: timeout === undefined ? undefined : Durations.decodePositive(timeout),
    interval: interval === undefined ? undefined : Durations.decodePositive(interval)
  }
  for (const [name, duration] of Object.entries(durations)) {
    if (duration !== undefined && Either.isLeft(duration)) return Either.left(refuse(name, duration.left))
  }
  return Either.right({
    signal: signal as AbortSignal | undefined,
    timeout: durations.timeout,
    onResponse: onResponse as Checked["onResponse"],
    interval: durations.interval
  })
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
    CdnClient.DefaultWithoutDependencies.pipe(
      Layer.provide(Layer.merge(Signer.Signer.Default, reported)),
      Layer.provide(Layer.succeed(CdnConfig.CdnConfig, config.right)),
      Layer.provide(fetchLayer)
    )
  )

  const run = <A>(
    options: unknown,
    effect: (checked: Checked) => Effect.Effect<A, Exclude<Failure, Aborted | UnexpectedError>, CdnClient>,
    deadline: "call" | "wait"
  ): Promise<Plain<A>> => {
    const checked = checkOptions(options)
    if (Either.isLeft(checked)) return Promise.reject(checked.left)
    const { signal, timeout, onResponse } = checked.right
    const aborted = () => new CdnClientError(new Aborted({ message: "the call was aborted by its AbortSignal" }))
    if (signal?.aborted) return Promise.reject(aborted())
    let program: Effect.Effect<A, Exclude<Failure, Aborted | UnexpectedError>, CdnClient> = effect(checked.right)
    if (timeout !== undefined && deadline === "call") {
      const limit = Either.getOrThrow(timeout)
      program = Effect.timeoutFail(program, {
        duration: limit,
        onTimeout: () =>
          new RequestTimeout({
            method: "-",
            url: "-",
            timeoutMs: Duration.toMillis(limit),
            message: `the call did not finish within its timeout (${String((options as CallOptions).timeout)})`
          })
      })
    }
    if (onResponse !== undefined) program = Effect.locally(program, currentOnResponse, onResponse)
    return new Promise<Plain<A>>((resolve, reject) => {
      // An abort rejects at once; the call's fiber is interrupted behind it.
      const onAbort = () => reject(aborted())
      signal?.addEventListener("abort", onAbort, { once: true })
      runtime.runPromiseExit(program, signal === undefined ? undefined : { signal }).then((exit) => {
        signal?.removeEventListener("abort", onAbort)
        if (Exit.isSuccess(exit)) return resolve(toPlain(exit.value))
        const failure = Cause.failureOption(exit.cause)
        if (failure._tag === "Some") return reject(new CdnClientError(failure.value))
        if (Cause.isInterruptedOnly(exit.cause)) return reject(aborted())
        reject(
          new CdnClientError(
            new UnexpectedError({ message: Cause.pretty(exit.cause).split("\n")[0] ?? "unexpected failure" })
          )
        )
      })
    })
  }

  const methods = {} as Record<CallName, (input: unknown, options?: CallOptions) => Promise<unknown>>
  for (const name of Object.keys(calls) as Array<CallName>) {
    methods[name] = (input, options) =>
      run(
        options,
        () =>
          Effect.flatMap(CdnClient, (client) =>
            (client[name] as (i: unknown) => Effect.Effect<unknown, CdnError>)(input)
          ),
        "call"
      )
  }
  const waitOptions = (checked: Checked): Waiter.WaitOptions => ({
    ...(checked.interval === undefined ? {} : { interval: Either.getOrThrow(checked.interval) }),
    ...(checked.timeout === undefined ? {} : { timeout: Either.getOrThrow(checked.timeout) })
  })
  return {
    ...(methods as unknown as Methods),
    waitForOperation: (ref, options) =>
      run(options, (checked) => Waiter.waitForOperation(ref, waitOptions(checked)), "wait"),
    purgeAndWait: (input, options) =>
      run(options, (checked) => Waiter.purgeAndWait(input, waitOptions(checked)), "wait"),
    preloadAndWait: (input, options) =>
      run(options, (checked) => Waiter.preloadAndWait(input, waitOptions(checked)), "wait"),
    close: () => runtime.dispose()
  }
}
