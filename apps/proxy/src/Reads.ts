/**
 * Reads (every GET call) as the proxy serves them: one upstream call shared by every concurrent identical request,
 * answers that never change again (a terminal operation, a purge whose items all ended) kept for good, the others
 * for a short TTL, errors not kept except a throttle, briefly. Each kept answer is read synchronously, so that a
 * poll answered from memory starts no fiber, and a miss goes upstream on a callback, so that only what has to wait
 * (retries, Redis) starts one:
 * - one single-flight (`SingleFlight`, as for writes) shares the upstream call between concurrent requests (every
 *   answer, error included, is a value in it); it keeps nothing once the call is done;
 * - one `lru-cache` keeps the answers, bounded by `PROXY_CACHE_CAPACITY` entries and `PROXY_CACHE_MAX_BYTES`: the
 *   final ones until pushed out (the commonest request is a finished operation polled again), the others until
 *   their TTL ends, by the Effect clock.
 * With `REDIS_URL`, a miss asks the replicas' shared store first, and concurrent misses across replicas make one
 * upstream call: the replica that takes the short lock asks upstream and keeps the answer; the others wait for it.
 */
import { CdnClient, Content, Operation } from "@org/cdn-core"
import { Clock, Context, Duration, Effect, Exit, Layer, Runtime } from "effect"
import { LRUCache } from "lru-cache"
import * as Answer from "./Answer.js"
import type { Call } from "./Inbound.js"
import * as Metrics from "./Metrics.js"
import { ProxyConfig } from "./ProxyConfig.js"
import { Shared } from "./Shared.js"
import * as SingleFlight from "./SingleFlight.js"

/** How a request was served: from a kept answer, by its own upstream call, or by waiting for another's. */
export type Source = "hit" | "miss" | "coalesced"

export interface Served {
  readonly answer: Answer.Answer
  readonly source: Source
}

export interface ReadsShape {
  /** A kept answer, final or still within its TTL, read synchronously; undefined when there is none (use `serve`). */
  readonly peek: (call: Call) => Answer.Answer | undefined
  /**
   * Serves a read: `done` gets its answer, once. The first upstream attempt goes on a callback; whatever has to wait
   * (retries, Redis, another replica's answer) runs on a fiber forked from `runtime`, the caller's context.
   */
  readonly serve: (call: Call, runtime: Runtime.Runtime<never>, done: (exit: Exit.Exit<Served>) => void) => void
}

export class Reads extends Context.Tag("@org/cdn-proxy/Reads")<Reads, ReadsShape>() {}

/** An answer and how old it already was when this replica got it (kept by another replica in Redis). */
interface Aged {
  readonly answer: Answer.Answer
  readonly ageMs: number
}

// An answer that will never change: a terminal operation, or results whose every item ended.
const isFinal = (call: Call, value: unknown): boolean => {
  switch (call.name) {
    case "getOperation":
      return Operation.isTerminal((value as Operation.Operation).status)
    case "getPurge":
    case "getPreload": {
      const items = (value as Content.PurgeResult | Content.PreloadResult).items
      return items.length > 0 && items.every((item) => !Content.isItemPending(item.status))
    }
    default:
      return false
  }
}

// What a kept answer costs beside its body and key: measured on node 20, about 300 bytes for the answer, its headers
// and its Buffer; the store's own slots come on top.
const entryOverheadBytes = 512

export const make = Effect.gen(function* () {
  const client = yield* CdnClient.CdnClient
  const settings = yield* ProxyConfig
  const shared = yield* Shared
  const metrics = yield* Metrics.Metrics
  const retryAfterSeconds = Math.max(1, Math.ceil(Duration.toSeconds(settings.throttledTtl)))

  const ask = Answer.fromUpstream(client, retryAfterSeconds)
  const askOnFiber = Answer.fromUpstreamEffect(client, retryAfterSeconds)
  const finalFor = (call: Call) => (value: unknown) => isFinal(call, value)
  /** One upstream call on a fiber, final when the call's answer can no longer change. */
  const upstream = (call: Call): Effect.Effect<Answer.Answer> => askOnFiber(call.call, call.input, finalFor(call))

  // The one TTL rule: a final answer for good (the replicas share it a day), a running one its TTL, a throttle
  // briefly, anything else not at all.
  const ttlOf = (answer: Answer.Answer): Duration.Duration | "final" | undefined =>
    answer.status >= 200 && answer.status < 300
      ? answer.terminal
        ? "final"
        : settings.runningTtl
      : answer.errorType === "RequestThrottled"
        ? settings.throttledTtl
        : undefined
  const sharedTtl = (answer: Answer.Answer): Duration.Duration | undefined => {
    const ttl = ttlOf(answer)
    return ttl === "final" ? Duration.days(1) : ttl
  }
  const lockTtl = Duration.seconds(3)
  const waitStep = Duration.millis(20)

  const fromUpstream = (call: Call): Effect.Effect<Aged> =>
    Effect.map(upstream(call), (answer) => ({ answer, ageMs: 0 }))

  const recall = (key: string): Effect.Effect<Aged | undefined> =>
    Effect.zipWith(shared.recall("answers", key), Clock.currentTimeMillis, (kept, now) => {
      if (kept === undefined) return undefined
      metrics.count(Metrics.sharedHits)
      // Clocks of two machines differ a little: an age below zero is none.
      return { answer: Answer.restore(kept), ageMs: kept.keptAt === undefined ? 0 : Math.max(0, now - kept.keptAt) }
    })

  // Another replica holds the lock: wait for its answer, then ask upstream ourselves if it never comes.
  const awaitOther = (call: Call): Effect.Effect<Aged> => {
    const tries = Math.ceil(Duration.toMillis(lockTtl) / Duration.toMillis(waitStep))
    const attempt = (left: number): Effect.Effect<Aged> =>
      Effect.flatMap(Effect.zipRight(Effect.sleep(waitStep), recall(call.key)), (found) =>
        found !== undefined ? Effect.succeed(found) : left <= 1 ? fromUpstream(call) : attempt(left - 1)
      )
    return attempt(tries)
  }

  const fetch = (call: Call): Effect.Effect<Aged> =>
    !shared.enabled
      ? fromUpstream(call)
      : Effect.flatMap(recall(call.key), (found) => {
          if (found !== undefined) return Effect.succeed(found)
          return Effect.flatMap(shared.lock(call.key, lockTtl), (token) =>
            token !== undefined
              ? Effect.tap(fromUpstream(call), ({ answer }) => {
                  const ttl = sharedTtl(answer)
                  return Effect.zipRight(
                    ttl === undefined ? Effect.void : shared.keep("answers", call.key, answer, ttl),
                    shared.unlock(call.key, token)
                  )
                })
              : awaitOther(call)
          )
        })

  // A lone replica asks upstream on a callback: an answer comes to `now`, and only what has to wait (retries) comes
  // to `later` as an effect. With Redis the whole fetch is an effect (the shared store, the lock).
  const fetchTo = (call: Call, now: (aged: Aged) => void, later: (effect: Effect.Effect<Aged>) => void): void => {
    if (shared.enabled) {
      later(fetch(call))
      return
    }
    ask(call.call, call.input, finalFor(call), (pending) => {
      if (pending._tag === "Now") now({ answer: pending.answer, ageMs: 0 })
      else later(Effect.map(pending.rest, (answer) => ({ answer, ageMs: 0 })))
    })
  }

  if (!settings.cache) {
    return {
      peek: () => undefined,
      serve: (call, runtime, done) => {
        const served = (aged: Aged): Served => ({ answer: aged.answer, source: "miss" })
        fetchTo(
          call,
          (aged) => done(Exit.succeed(served(aged))),
          (effect) => Runtime.runFork(runtime)(Effect.map(effect, served)).addObserver(done)
        )
      }
    } as ReadsShape
  }

  const flights = yield* SingleFlight.make<Answer.Answer>()
  // Every kept answer, final or not, in one store bounded by count and by bytes; the least recently read leaves
  // first. A final answer is kept until pushed out, another until its TTL ends, by the Effect clock.
  const kept = new LRUCache<string, { readonly answer: Answer.Answer; readonly until: number }>({
    max: settings.cacheCapacity,
    maxSize: settings.cacheMaxBytes,
    sizeCalculation: (entry, key) => entry.answer.body.length + key.length + entryOverheadBytes
  })
  const clock = yield* Effect.clock
  const peek = (call: Call): Answer.Answer | undefined => {
    const entry = kept.get(call.key)
    if (entry === undefined) return undefined
    if (entry.until === Number.POSITIVE_INFINITY || clock.unsafeCurrentTimeMillis() < entry.until) return entry.answer
    kept.delete(call.key)
    return undefined
  }
  // How long an answer is kept. Another replica's answer is kept only for what is left of its TTL, so that no answer
  // is older than its TTL on any replica.
  const timeToLive = ({ answer, ageMs }: Aged): Duration.Duration => {
    const ttl = ttlOf(answer)
    if (ttl === undefined || ttl === "final") return Duration.zero
    return Duration.millis(Math.max(0, Duration.toMillis(ttl) - ageMs))
  }
  const keep = (key: string, aged: Aged): Answer.Answer => {
    const { answer } = aged
    if (answer.terminal) kept.set(key, { answer, until: Number.POSITIVE_INFINITY })
    else {
      const ttl = Duration.toMillis(timeToLive(aged))
      if (ttl > 0) kept.set(key, { answer, until: clock.unsafeCurrentTimeMillis() + ttl })
    }
    return answer
  }

  const serve: ReadsShape["serve"] = (call, runtime, done) => {
    // Kept since the caller peeked: another request's call ended in between.
    const found = peek(call)
    if (found !== undefined) {
      done(Exit.succeed({ answer: found, source: "hit" }))
      return
    }
    flights.join(
      call.key,
      runtime,
      // The answer is kept before anyone gets it.
      (settle) =>
        fetchTo(
          call,
          (aged) => settle.value(keep(call.key, aged)),
          (effect) => settle.effect(Effect.map(effect, (aged) => keep(call.key, aged)))
        ),
      (exit) =>
        done(Exit.map(exit, ({ value, shared }): Served => ({ answer: value, source: shared ? "coalesced" : "miss" })))
    )
  }
  return { peek, serve } as ReadsShape
})

/** Needs `CdnClient`, `ProxyConfig` and `Shared` (`Shared.none` for a lone replica). */
export const layer: Layer.Layer<Reads, never, CdnClient.CdnClient | ProxyConfig | Shared | Metrics.Metrics> =
  Layer.scoped(Reads, make)
