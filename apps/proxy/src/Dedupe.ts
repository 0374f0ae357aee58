/**
 * The purge dedupe window: the same token sending the same purge (or preload) body again within
 * `PROXY_PURGE_DEDUPE_SECONDS` gets the first one's answer (its operation id) back, so a retrying caller does not
 * spend the service's daily quota twice. A store is a service, so that replicas can share one.
 */
import { Context, Duration, Effect, Layer } from "effect"
import * as Answer from "./Answer.js"
import { Shared } from "./Shared.js"

export interface DedupeStore {
  /** The answer kept for `key`, if it is still in its window. */
  readonly recall: (key: string) => Effect.Effect<Answer.Answer | undefined>
  /** Keeps an accepted answer for `key` for `seconds`. */
  readonly keep: (key: string, answer: Answer.Answer, seconds: number) => Effect.Effect<void>
}

export class Dedupe extends Context.Tag("@org/cdn-proxy/Dedupe")<Dedupe, DedupeStore>() {}

/** In this process: a map of answers with their expiry, pruned as it is used. */
export const memory: Layer.Layer<Dedupe> = Layer.sync(Dedupe, () => {
  const kept = new Map<string, { readonly answer: Answer.Answer; readonly until: number }>()
  const prune = (now: number) => {
    for (const [key, entry] of kept) if (entry.until <= now) kept.delete(key)
  }
  return {
    recall: (key) =>
      Effect.sync(() => {
        const entry = kept.get(key)
        return entry !== undefined && entry.until > Date.now() ? entry.answer : undefined
      }),
    keep: (key, answer, seconds) =>
      Effect.sync(() => {
        const now = Date.now()
        if (kept.size > 10_000) prune(now)
        kept.set(key, { answer, until: now + seconds * 1000 })
      })
  }
})

/** Kept in this process and in the replicas' shared store: a replica finds what any other kept. */
export const shared: Layer.Layer<Dedupe, never, Shared> = Layer.effect(
  Dedupe,
  Effect.gen(function* () {
    const store = yield* Shared
    const local = yield* Effect.provide(Dedupe, memory)
    return {
      recall: (key) =>
        Effect.flatMap(local.recall(key), (found) =>
          found !== undefined
            ? Effect.succeed(found)
            : Effect.map(store.recall("dedupe", key), (kept) => (kept === undefined ? undefined : Answer.restore(kept)))
        ),
      keep: (key, answer, seconds) =>
        Effect.zipRight(local.keep(key, answer, seconds), store.keep("dedupe", key, answer, Duration.seconds(seconds)))
    }
  })
)
