/**
 * A fake HttpClient for CdnClient's tests: answers from a list in turn, keeps every request it was sent.
 */
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Cause, Effect, Exit, Fiber, Layer, TestClock } from "effect"
import { CdnClient, CdnConfig } from "../src/index.js"

const op = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"

export interface Sent {
  readonly method: string
  readonly path: string
  readonly search: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
}

/** An answer, or a failure before one: a socket error code, or no answer at all. */
export type Reply =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | "refused"
  | "reset"
  | { readonly code: string; readonly message?: string }
  | "hang"

/** An `HttpClient` whose answers come from `replies` in turn (the last repeats); every request is kept. */
export const fakeHttp = (replies: ReadonlyArray<Reply>) => {
  const sent: Array<Sent> = []
  const http = HttpClient.make((request: HttpClientRequest.HttpClientRequest, url) => {
    const body =
      request.body._tag === "Uint8Array"
        ? new TextDecoder().decode(request.body.body)
        : request.body._tag === "Raw"
          ? String(request.body.body)
          : undefined
    sent.push({ method: request.method, path: url.pathname, search: url.search, headers: { ...request.headers }, body })
    const reply = replies[Math.min(sent.length - 1, replies.length - 1)] as Reply
    if (reply === "hang") return Effect.never
    if (reply === "refused" || reply === "reset" || "code" in reply) {
      const code = reply === "refused" ? "ECONNREFUSED" : reply === "reset" ? "ECONNRESET" : reply.code
      const message = typeof reply === "object" && reply.message !== undefined ? reply.message : code
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: Object.assign(new Error(message), { code })
        })
      )
    }
    const headers = { "content-type": "application/json", "x-correlation-id": "corr-1", ...reply.headers }
    return Effect.succeed(
      HttpClientResponse.fromWeb(request, new Response(reply.body, { status: reply.status, headers }))
    )
  })
  return { sent, http }
}

/** A client whose answers come from `replies` in turn (the last repeats); every request is kept. */
export const fake = (replies: ReadonlyArray<Reply>, config: Partial<CdnConfig.CdnConfigInput> = {}) => {
  const { sent, http } = fakeHttp(replies)
  const layer = CdnClient.CdnClient.Default.pipe(
    Layer.provide(
      CdnConfig.layer({
        keyId: "key-id-1",
        keyValue: "secret-value",
        retry: { maxAttempts: 3, baseDelay: "10 millis", maxElapsed: "10 seconds" },
        ...config
      })
    ),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, http)),
    Layer.orDie
  )
  return { sent, layer }
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body: JSON.stringify(body) })
export const accepted = ok(
  { Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: op, TaskStatus: "Processing" } },
  202
)

/** Runs a call with time moving on, so that retries happen. */
export const run = <A, E>(effect: Effect.Effect<A, E, CdnClient.CdnClient>, layer: Layer.Layer<CdnClient.CdnClient>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2024-01-02T03:04:05Z"))
    const fiber = yield* Effect.fork(effect.pipe(Effect.provide(layer)))
    yield* TestClock.adjust("5 minutes")
    return yield* Fiber.await(fiber)
  })

export const value = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
  return exit.value
}

export const failure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = Cause.failureOption(exit.cause)
  if (error._tag === "None") throw new Error(Cause.pretty(exit.cause))
  return error.value
}
