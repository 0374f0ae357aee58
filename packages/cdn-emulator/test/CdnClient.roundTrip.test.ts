import { describe, expect, it } from "@effect/vitest"
import { CdnClient } from "@org/cdn-core"
import { DateTime, Effect } from "effect"
import { requestLog, seed, seedPath, seedRefUpper, withEmulator } from "./support.js"

describe("CdnClient against the emulator: the seed call", () => {
  it.effect("upper-case GUIDs in, the lower-case path on the wire, the seed document's operation out", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const response = yield* client.getOperationResponse(seedRefUpper)
        const operation = response.value
        expect(operation.id).toBe(seed.operationId)
        expect(operation.type).toBe("Purge")
        expect(operation.status).toBe("Succeeded")
        expect(operation.message).toBeNull()
        expect(DateTime.formatIso(operation.start)).toBe("2017-05-02T06:34:07.869Z")
        expect(operation.end && DateTime.formatIso(operation.end)).toBe("2017-05-02T06:44:07.869Z")
        expect(operation.endpointId).toBe(seed.endpointId)
        expect(operation.subscriptionId).toBe(seed.subscriptionId)
        expect(response.status).toBe(200)

        const log = yield* requestLog
        expect(log).toHaveLength(1)
        const [entry] = log
        expect(entry).toMatchObject({
          method: "GET",
          path: seedPath,
          query: { apiVersion: "1.0" },
          keyId: "emulator-key",
          signatureValid: true,
          status: 200,
          outcome: "ok"
        })
        // The correlation ID the user quotes to support is the one the emulator logged.
        expect(response.correlationId).toMatch(/^[0-9a-f-]{36}$/)
        expect(response.correlationId).toBe(entry?.correlationId)
        expect(entry?.date).toBe("2024-06-01 08:00:00")
      })
    )
  )

  it.effect("getOperation returns the same operation as getOperationResponse", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const operation = yield* client.getOperation(seed)
        expect(operation.status).toBe("Succeeded")
        expect(operation.id).toBe(seed.operationId)
        expect(yield* requestLog).toHaveLength(1)
      })
    )
  )

  it.effect("an emulator that spells success `Succeed` still decodes as Succeeded", () =>
    withEmulator({ emulator: { succeededSpelling: "Succeed" } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const response = yield* client.getOperationResponse(seedRefUpper)
        // The wire really said `Succeed`: the decoding, not the emulator, made it `Succeeded`.
        expect(JSON.parse(response.body).Status).toBe("Succeed")
        expect(response.value.status).toBe("Succeeded")
      })
    )
  )
})
