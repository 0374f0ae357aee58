/**
 * Writes (purge, preload, endpoint changes) as the proxy forwards them: the body already parsed, the call's own input
 * check before anything goes upstream (a bad body is a 400 in the service's shape), `CdnClient` re-sending only when
 * the service certainly did not carry the write out, and for a purge or a preload the dedupe window.
 */
import { createHash } from "node:crypto"
import { CdnClient } from "@org/cdn-core"
import { Context, Duration, Effect, Layer } from "effect"
import * as Answer from "./Answer.js"
import { Dedupe, singleFlight } from "./Dedupe.js"
import type { Call } from "./Inbound.js"
import * as Metrics from "./Metrics.js"
import { ProxyConfig } from "./ProxyConfig.js"

export interface WritesShape {
  /** Forwards the write of `token` with its parsed `body`; `deduped` when the answer is an earlier one's. */
  readonly send: (
    token: string,
    call: Call,
    body: unknown
  ) => Effect.Effect<{ answer: Answer.Answer; deduped: boolean }>
}

export class Writes extends Context.Tag("@org/cdn-proxy/Writes")<Writes, WritesShape>() {}

// The same body in any key order is the same request.
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(",")}]`
    : typeof value === "object" && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
          .join(",")}}`
      : JSON.stringify(value)

const deduped = new Set(["purge", "preload"])

export const make = Effect.gen(function* () {
  const client = yield* CdnClient.CdnClient
  const settings = yield* ProxyConfig
  const store = yield* Dedupe
  const metrics = yield* Metrics.Metrics
  const retryAfterSeconds = Math.max(1, Math.ceil(Duration.toSeconds(settings.throttledTtl)))
  const shared = singleFlight<Answer.Answer>()

  const forward = (call: Call, body: unknown): Effect.Effect<Answer.Answer> =>
    client.request(call.call, call.call.fromRequest({ params: call.params, query: call.query, body })).pipe(
      Effect.map((response) => Answer.passThrough(response.status, response.body, response.correlationId, false)),
      Effect.catchAll((error) => Effect.succeed(Answer.fromCdnError(error, retryAfterSeconds)))
    )

  const send: WritesShape["send"] = (token, call, body) => {
    const window = settings.purgeDedupeSeconds
    if (window === 0 || !deduped.has(call.name))
      return Effect.map(forward(call, body), (answer) => ({ answer, deduped: false }))
    // The token's name, the call, its path and its body: a digest, so that no body sits in memory or in Redis as is.
    const key = createHash("sha256")
      .update(`${token}\n${call.key}\n${canonical(body)}`)
      .digest("hex")
    return Effect.flatMap(store.recall(key), (kept) => {
      if (kept !== undefined) {
        metrics.count(Metrics.dedupeHits, Metrics.routeOnly(call.name))
        return Effect.succeed({ answer: kept, deduped: true })
      }
      // Two identical writes at once make one call; only an accepted one is kept for the window.
      return Effect.map(
        shared(
          key,
          Effect.tap(forward(call, body), (answer) =>
            answer.status >= 200 && answer.status < 300 ? store.keep(key, answer, window) : Effect.void
          )
        ),
        ({ value, shared: wasShared }) => {
          if (wasShared) metrics.count(Metrics.dedupeHits, Metrics.routeOnly(call.name))
          return { answer: value, deduped: wasShared }
        }
      )
    })
  }
  return { send } as WritesShape
})

/** Needs `CdnClient`, `ProxyConfig` and a `Dedupe` store. */
export const layer: Layer.Layer<Writes, never, CdnClient.CdnClient | ProxyConfig | Dedupe | Metrics.Metrics> =
  Layer.effect(Writes, make)
