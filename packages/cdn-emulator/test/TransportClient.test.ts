import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CdnClient, CdnConfig, NodeHttpTransport, Transport, TransportClient } from "@org/cdn-core"
import { Effect, Layer } from "effect"
import * as InProcess from "../src/InProcess.js"
import * as Server from "../src/Server.js"
import { baseUrl, keyId, keyValue, seed, seedPath, seedRefUpper } from "./support.js"

// CdnClient over the node:http transport, against an emulator on a real 127.0.0.1 port.
const overNodeHttp = (url: string, config: Partial<CdnConfig.CdnConfigInput> = {}) =>
  TransportClient.layer.pipe(
    Layer.provide(NodeHttpTransport.layer()),
    Layer.provide(
      CdnConfig.layer({
        baseUrl: url,
        keyId,
        keyValue,
        retry: { maxAttempts: 3, baseDelay: "10 millis", maxDelay: "50 millis", maxElapsed: "5 seconds" },
        ...config
      })
    )
  )

const getSeed = Effect.flatMap(CdnClient.CdnClient, (client) => client.getOperationResponse(seedRefUpper))

describe("TransportClient", () => {
  it.scopedLive("over node:http: the seed round trip, signed, with the lower-case path and the correlation id", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({ port: 0 })
      const response = yield* getSeed.pipe(Effect.provide(overNodeHttp(running.url)))
      expect(response.value).toMatchObject({ id: seed.operationId, status: "Succeeded" })
      const [entry] = running.emulator.log.all()
      expect(entry).toMatchObject({ path: seedPath, signatureValid: true, correlationId: response.correlationId })
      expect(JSON.parse(response.body)).toMatchObject({ Id: seed.operationId })
    })
  )

  it.scopedLive("retries a throttle by the policy, each attempt with a valid signature", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({ port: 0 })
      running.emulator.faults.set({ throttle: { times: 2, retryAfterSeconds: 0 } })
      const response = yield* getSeed.pipe(Effect.provide(overNodeHttp(running.url)))
      expect(response.status).toBe(200)
      expect(running.emulator.log.all().map((entry) => [entry.outcome, entry.signatureValid])).toEqual([
        ["RequestThrottled", true],
        ["RequestThrottled", true],
        ["ok", true]
      ])
    })
  )

  it.scopedLive("typed errors: a gateway page, a dropped connection, a timeout, a bad ID", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({ port: 0 })
      const client = overNodeHttp(running.url, { retry: { maxAttempts: 1 }, attemptTimeout: "300 millis" })
      const fail = <E>(effect: Effect.Effect<unknown, E, CdnClient.CdnClient>) =>
        Effect.flip(effect).pipe(Effect.provide(client))

      running.emulator.faults.set({ html: { every: 1 } })
      expect(yield* fail(getSeed)).toMatchObject({ _tag: "UnreadableResponse", reason: "not-json", status: 502 })
      running.emulator.faults.set({ drop: { every: 1 } })
      expect(yield* fail(getSeed)).toMatchObject({ _tag: "TransportError" })
      running.emulator.faults.set({ latencyMs: 1_000 })
      expect(yield* fail(getSeed)).toMatchObject({ _tag: "RequestTimeout", timeoutMs: 300 })
      running.emulator.faults.clear()
      running.emulator.log.clear()
      const bad = Effect.flatMap(CdnClient.CdnClient, (c) =>
        c.getOperation({ ...seedRefUpper, endpointId: "not-a-guid" })
      )
      expect(yield* fail(bad)).toMatchObject({ _tag: "InvalidInput", field: "endpointId" })
      expect(running.emulator.log.all()).toEqual([])
    })
  )

  it.effect("Transport.fromHttpClient: any HttpClient (here the emulator in-process) serves the same calls", () =>
    Effect.gen(function* () {
      const operation = yield* Effect.flatMap(CdnClient.CdnClient, (client) => client.getOperation(seedRefUpper))
      expect(operation.status).toBe("Succeeded")
    }).pipe(
      Effect.provide(
        TransportClient.layer.pipe(
          Layer.provide(Transport.fromHttpClient),
          Layer.provide(Layer.merge(InProcess.layer(), CdnConfig.layer({ baseUrl, keyId, keyValue })))
        )
      )
    )
  )

  it.scopedLive("Transport.fromHttpClient over fetch times an attempt out", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({ port: 0 })
      running.emulator.faults.set({ latencyMs: 1_000 })
      const error = yield* Effect.flip(getSeed).pipe(
        Effect.provide(
          TransportClient.layer.pipe(
            Layer.provide(Transport.fromHttpClient),
            Layer.provide(FetchHttpClient.layer),
            Layer.provide(
              CdnConfig.layer({
                baseUrl: running.url,
                keyId,
                keyValue,
                attemptTimeout: "200 millis",
                retry: { maxAttempts: 1 }
              })
            )
          )
        )
      )
      expect(error).toMatchObject({ _tag: "RequestTimeout", timeoutMs: 200 })
    })
  )
})
