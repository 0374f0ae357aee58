/**
 * Writes (purge, preload, endpoint changes) as the proxy forwards them: the body read with the call's own payload
 * schema, strictly, before anything goes upstream (what cannot be read exactly is a 400 in the service's shape naming
 * the field, never rewritten into something that can), `CdnClient` re-sending only when
 * the service certainly did not carry the write out, and for a purge or a preload the dedupe window.
 */
import { createHash } from "node:crypto"
import { CdnApi, CdnClient } from "@org/cdn-core"
import { Context, Duration, Effect, Either, Layer, Schema } from "effect"
import * as Answer from "./Answer.js"
import { Dedupe } from "./Dedupe.js"
import type { Call } from "./Inbound.js"
import * as Metrics from "./Metrics.js"
import { ProxyConfig } from "./ProxyConfig.js"
import * as SingleFlight from "./SingleFlight.js"

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
  const shared = yield* SingleFlight.make<Answer.Answer>()

  const ask = Answer.fromUpstreamEffect(client, retryAfterSeconds)
  // A write's answer is never kept as final.
  const forward = (call: Call, input: unknown): Effect.Effect<Answer.Answer> => ask(call.call, input, () => false)

  const send: WritesShape["send"] = (token, call, body) => {
    const read = CdnApi.readRequest(call.call, { params: call.params, query: call.rawQuery, body })
    if (Either.isLeft(read)) {
      const refused = Answer.failure(400, read.left.type, read.left.message)
      return Effect.succeed({ answer: refused, deduped: false })
    }
    const input = read.right
    const window = settings.purgeDedupeSeconds
    if (window === 0 || !deduped.has(call.name))
      return Effect.map(forward(call, input), (answer) => ({ answer, deduped: false }))
    // The token's name, the call, its path and the body as it goes upstream (so any casing of the same request is the
    // same): a digest, so that no body sits in memory or in Redis as is.
    const wire = call.call.payload === undefined ? null : Schema.encodeUnknownSync(call.call.payload)(input)
    const key = createHash("sha256")
      .update(`${token}\n${call.key}\n${canonical(wire)}`)
      .digest("hex")
    return Effect.flatMap(store.recall(key), (kept) => {
      if (kept !== undefined) {
        metrics.count(Metrics.dedupeHits, Metrics.routeOnly(call.name))
        return Effect.succeed({ answer: kept, deduped: true })
      }
      // Two identical writes at once make one call; only an accepted one is kept for the window.
      return Effect.map(
        shared.run(
          key,
          Effect.tap(forward(call, input), (answer) =>
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
  Layer.scoped(Writes, make)
