/**
 * Operations as the proxy serves them: one upstream call shared by every concurrent identical request, terminal
 * operations kept (they never change), running ones for a short TTL, errors not kept except a throttle, briefly.
 * Two well-kept tools, each for what it does best:
 * - effect's `Cache` shares the upstream call between concurrent requests and keeps what may change (running
 *   operations, a throttle) for its TTL; every answer, error included, is a value in it, so the TTL can depend on
 *   what came back;
 * - `lru-cache` keeps terminal answers, bounded, and is read synchronously: the commonest request (a finished
 *   operation polled again) is answered without starting a fiber, which measured about a third of its cost.
 */
import { CdnClient } from "@org/cdn-core"
import { Cache, Context, Duration, Effect, Layer } from "effect"
import { LRUCache } from "lru-cache"
import * as Answer from "./Answer.js"
import { ProxyConfig } from "./ProxyConfig.js"

/** The three lower-case IDs of a get-operation call. */
export interface OperationKey {
  readonly subscriptionId: string
  readonly endpointId: string
  readonly operationId: string
}

/** How a request was served: from a kept answer, by its own upstream call, or by waiting for another's. */
export type Source = "hit" | "miss" | "coalesced"

export interface Served {
  readonly answer: Answer.Answer
  readonly source: Source
}

export interface OperationsShape {
  /** A kept terminal answer, read synchronously; undefined when there is none (then use `get`). */
  readonly peek: (key: OperationKey) => Answer.Answer | undefined
  readonly get: (key: OperationKey) => Effect.Effect<Served>
}

export class Operations extends Context.Tag("@org/cdn-proxy/Operations")<Operations, OperationsShape>() {}

interface Entry {
  readonly answer: Answer.Answer
  /** Which lookup made it: a request that started before it was made waited for it. */
  readonly generation: number
}

/** The cache's key: the path's IDs, lower case. */
const keyOf = (key: OperationKey): string => `${key.subscriptionId}/${key.endpointId}/${key.operationId}`

export const make = Effect.gen(function* () {
  const client = yield* CdnClient.CdnClient
  const settings = yield* ProxyConfig
  const retryAfterSeconds = Math.max(1, Math.ceil(Duration.toSeconds(settings.throttledTtl)))
  let generation = 0

  /** One upstream call, its outcome (failure included) turned into the answer to give. */
  const fetch = (key: OperationKey): Effect.Effect<Answer.Answer> =>
    client.getOperationResponse(key).pipe(
      Effect.map((response) => Answer.success(response.body, response.value.status, response.correlationId)),
      Effect.catchAll((error) => Effect.succeed(Answer.fromCdnError(error, retryAfterSeconds)))
    )

  if (!settings.cache) {
    return {
      peek: () => undefined,
      get: (key) => Effect.map(fetch(key), (answer) => ({ answer, source: "miss" as const }))
    } as OperationsShape
  }

  const terminal = new LRUCache<string, Answer.Answer>({ max: settings.cacheCapacity })

  // Terminal answers move to the LRU as they arrive: the effect Cache need not keep them.
  const timeToLive = (answer: Answer.Answer): Duration.Duration =>
    answer.status === 200
      ? answer.terminal
        ? Duration.zero
        : settings.runningTtl
      : answer.errorType === "RequestThrottled"
        ? settings.throttledTtl
        : Duration.zero

  const cache = yield* Cache.makeWith({
    capacity: settings.cacheCapacity,
    lookup: (text: string) => {
      const [subscriptionId, endpointId, operationId] = text.split("/") as [string, string, string]
      return Effect.map(fetch({ subscriptionId, endpointId, operationId }), (answer): Entry => {
        if (answer.terminal) terminal.set(text, answer)
        return { answer, generation: ++generation }
      })
    },
    timeToLive: (exit) => (exit._tag === "Success" ? timeToLive(exit.value.answer) : Duration.zero)
  })

  const get = (key: OperationKey): Effect.Effect<Served> => {
    const started = generation
    return Effect.map(cache.getEither(keyOf(key)), (either) =>
      either._tag === "Right"
        ? { answer: either.right.answer, source: "miss" as const }
        : { answer: either.left.answer, source: either.left.generation > started ? "coalesced" : ("hit" as const) }
    )
  }
  return { peek: (key) => terminal.get(keyOf(key)), get } as OperationsShape
})

/** Needs `CdnClient` and `ProxyConfig`. */
export const layer: Layer.Layer<Operations, never, CdnClient.CdnClient | ProxyConfig> = Layer.effect(Operations, make)
