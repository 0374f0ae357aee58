/**
 * What replicas share through Redis (`REDIS_URL`): answers (`@effect/experimental`'s `Persistence` on Redis), a
 * short lock so that concurrent identical misses across replicas make one upstream call, and Redis's health. Redis
 * down or unreachable never stops a request: every operation fails fast (no offline queue), counts, marks Redis
 * down for `/readyz`, and the caller goes on as a lone replica would; ioredis reconnects by itself.
 */
import { randomUUID } from "node:crypto"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import type { RedisOptions } from "ioredis"
import * as Answer from "./Answer.js"
import * as JsonLog from "./JsonLog.js"
import * as Metrics from "./Metrics.js"

export interface SharedShape {
  /** False without `REDIS_URL`: every method is then a no-op. */
  readonly enabled: boolean
  /** Whether the last Redis operation worked (for `/readyz`). */
  readonly up: () => boolean
  /** An answer some replica kept under `key`. */
  readonly recall: (store: "answers" | "dedupe", key: string) => Effect.Effect<Answer.Kept | undefined>
  /** Keeps an answer under `key` for `ttl` (none: until pushed out by Redis's own policy). */
  readonly keep: (
    store: "answers" | "dedupe",
    key: string,
    answer: Answer.Answer,
    ttl: Duration.Duration | undefined
  ) => Effect.Effect<void>
  /**
   * Takes the short lock of `key`: this holder's token when it holds it now (or `""` when Redis cannot say), undefined
   * when another holds it.
   */
  readonly lock: (key: string, ttl: Duration.Duration) => Effect.Effect<string | undefined>
  /** Frees the lock if this holder (`token`) still holds it: a lock that expired and went to another is left be. */
  readonly unlock: (key: string, token: string) => Effect.Effect<void>
}

export class Shared extends Context.Tag("@org/cdn-proxy/Shared")<Shared, SharedShape>() {}

// Deletes the lock only while it still holds the token given: one step in Redis, so no other holder slips between.
const compareAndDelete = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`

/** No Redis: a lone replica. */
export const none: Layer.Layer<Shared> = Layer.succeed(Shared, {
  enabled: false,
  up: () => true,
  recall: () => Effect.succeed(undefined),
  keep: () => Effect.void,
  lock: () => Effect.succeed(""),
  unlock: () => Effect.void
})

/**
 * ioredis's options for `REDIS_URL`: fail fast rather than queue while Redis is away (a request never waits for Redis
 * to come back), and reconnect by itself.
 */
export const redisOptions = (url: string): RedisOptions => {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    ...(parsed.username === "" ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === "" ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    // Reconnect by itself, backing off to a second between tries.
    retryStrategy: (times: number) => Math.min(times * 100, 1000),
    lazyConnect: false
  }
}

// No Redis operation may hold a request longer than this.
const operationLimit = Duration.millis(250)

/** Shares through the Redis at `url` (held `Redacted`: it may carry a password). */
export const redis = (url: Redacted.Redacted<string>): Layer.Layer<Shared, never, Metrics.Metrics | JsonLog.JsonLog> =>
  Layer.scoped(
    Shared,
    Effect.gen(function* () {
      const metrics = yield* Metrics.Metrics
      const log = yield* JsonLog.JsonLog
      const options = redisOptions(Redacted.value(url))
      // Loaded only with REDIS_URL: ioredis alone takes about 20 MB that a lone replica never needs.
      const { Redis } = yield* Effect.promise(() => import("ioredis"))
      const PersistenceRedis = yield* Effect.promise(() => import("@effect/experimental/Persistence/Redis"))
      let healthy = true
      const mark = (ok: boolean) => {
        if (ok !== healthy) log.write(ok ? "info" : "warn", ok ? "redis up" : "redis down: serving on our own", {})
        healthy = ok
        metrics.setRedisUp(ok)
      }
      // One client for the lock, one inside Persistence for the answers; both reconnect by themselves.
      const client = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const redis = new Redis(options)
          // ioredis reports a lost connection here; without a listener Node would treat it as a crash.
          redis.on("error", () => mark(false))
          redis.on("ready", () => mark(true))
          return redis
        }),
        (redis) => Effect.promise(() => redis.quit().catch(() => redis.disconnect()))
      )
      const backing = yield* PersistenceRedis.make(options)
      const stores = {
        answers: yield* backing.make("cdn-proxy:answers"),
        dedupe: yield* backing.make("cdn-proxy:dedupe")
      }

      // Every operation bounded, its failure counted and turned into "Redis cannot say".
      const guarded = <A>(effect: Effect.Effect<A, unknown>, fallback: A): Effect.Effect<A> =>
        effect.pipe(
          Effect.timeoutFail({ duration: operationLimit, onTimeout: () => new Error("redis timed out") }),
          Effect.tap(() => Effect.sync(() => mark(true))),
          Effect.catchAll(() =>
            Effect.sync(() => {
              metrics.count(Metrics.redisErrors)
              mark(false)
              return fallback
            })
          )
        )

      const shape: SharedShape = {
        enabled: true,
        up: () => healthy && client.status === "ready",
        recall: (store, key) =>
          guarded(
            Effect.map(stores[store].get(key), (found) => Option.getOrUndefined(found) as Answer.Kept | undefined),
            undefined
          ),
        keep: (store, key, answer, ttl) =>
          guarded(
            Effect.flatMap(Clock.currentTimeMillis, (now) =>
              stores[store].set(key, Answer.keep(answer, now), Option.fromNullable(ttl))
            ),
            undefined
          ),
        lock: (key, ttl) =>
          Effect.suspend(() => {
            // A token per holder: only the holder frees its lock.
            const token = randomUUID()
            return guarded(
              Effect.map(
                Effect.tryPromise(() => client.set(`cdn-proxy:lock:${key}`, token, "PX", Duration.toMillis(ttl), "NX")),
                (reply) => (reply === "OK" ? token : undefined)
              ),
              ""
            )
          }),
        unlock: (key, token) =>
          token === ""
            ? Effect.void
            : guarded(
                Effect.asVoid(
                  Effect.tryPromise(() => client.eval(compareAndDelete, 1, `cdn-proxy:lock:${key}`, token))
                ),
                undefined
              )
      }
      metrics.setRedisUp(true)
      return shape
    })
  )
