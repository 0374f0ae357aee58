/**
 * Operations as the proxy serves them: one upstream call shared by every concurrent identical request, terminal
 * operations kept (they never change), running ones for a short TTL, errors not kept except a throttle, briefly.
 * Built on effect's `Cache`; every answer, error included, is a value in it, so the TTL can depend on what came back.
 */
import { CdnClient } from "@org/cdn-core"
import { Cache, Context, Duration, Effect, Layer } from "effect"
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
      get: (key) => Effect.map(fetch(key), (answer) => ({ answer, source: "miss" as const }))
    } as OperationsShape
  }

  const timeToLive = (answer: Answer.Answer): Duration.Duration =>
    answer.status === 200
      ? answer.terminal
        ? Duration.infinity
        : settings.runningTtl
      : answer.errorType === "RequestThrottled"
        ? settings.throttledTtl
        : Duration.zero

  const cache = yield* Cache.makeWith({
    capacity: settings.cacheCapacity,
    lookup: (text: string) => {
      const [subscriptionId, endpointId, operationId] = text.split("/") as [string, string, string]
      return Effect.map(
        fetch({ subscriptionId, endpointId, operationId }),
        (answer): Entry => ({ answer, generation: ++generation })
      )
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
  return { get } as OperationsShape
})

/** Needs `CdnClient` and `ProxyConfig`. */
export const layer: Layer.Layer<Operations, never, CdnClient.CdnClient | ProxyConfig> = Layer.effect(Operations, make)
