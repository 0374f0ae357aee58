/**
 * The emulator reads request bodies and queries with the calls' own strict schemas, as the proxy does; it answers
 * endpoints in either published shape, and a revoked key as the service would.
 */
import { createHmac } from "node:crypto"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CdnClient } from "@org/cdn-core"
import { Effect, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import type { EmulatorOptions } from "../src/EmulatorOptions.js"
import * as InProcess from "../src/InProcess.js"
import { control, failureOf, seed, seedRefUpper, startTime, withEmulator } from "./support.js"

const endpointPath = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}`

// A request signed by hand (node:crypto), with any body, to reach what CdnClient never sends.
const send = (
  method: "GET" | "POST" | "PUT",
  path: string,
  query: string,
  body?: Uint8Array | string,
  setup: { readonly options?: EmulatorOptions; readonly prepare?: (emulator: Emulator.EmulatorState) => void } = {}
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(startTime)
    const emulator = Emulator.make(setup.options)
    setup.prepare?.(emulator)
    const date = new Date(startTime).toISOString().slice(0, 19).replace("T", " ")
    const pairs = [...new URLSearchParams(query)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${name}:${value}`)
      .join(", ")
    const text = `${path.toLowerCase()}\r\n${pairs}\r\n${date}\r\n${method}`
    const signature = createHmac("sha256", "emulator-secret").update(text).digest("hex").toUpperCase()
    const headers = { "x-azurecdn-request-date": date, authorization: `AzureCDN emulator-key:${signature}` }
    const request = HttpClientRequest.make(method)(`https://restapi.cdn.azure.cn${path}?${query}`, { headers })
    const withBody =
      body === undefined
        ? request
        : HttpClientRequest.bodyUint8Array(
            request,
            typeof body === "string" ? new TextEncoder().encode(body) : body,
            "application/json"
          )
    const response = yield* InProcess.httpClient(emulator).execute(withBody)
    const json = (yield* response.json) as { ErrorInfo?: { Type: string; Message: string } }
    return { status: response.status, json, type: json.ErrorInfo?.Type, message: json.ErrorInfo?.Message ?? "" }
  }).pipe(Effect.orDie)

const range = "startTime=2024-05-01T00:00:00Z&endTime=2024-05-02T00:00:00Z"

describe("the emulator reads requests with the calls' strict schemas", () => {
  it.effect("keys in any case are read; an unknown key, a key given twice, bytes not UTF-8 are refused", () =>
    Effect.gen(function* () {
      const purges = `${endpointPath}/purges`
      expect((yield* send("POST", purges, "apiVersion=1.0", '{"files":["http://file.example.cn/a.png"]}')).status).toBe(
        202
      )
      const unknown = yield* send(
        "POST",
        purges,
        "apiVersion=1.0",
        '{"Files":["http://file.example.cn/a.png"],"Urls":[]}'
      )
      expect(unknown).toMatchObject({ status: 400, type: "ParameterInvalid" })
      expect(unknown.message).toContain("Urls: is not a key this call takes")
      const twice = yield* send(
        "POST",
        purges,
        "apiVersion=1.0",
        '{"Files":[],"Files":["http://file.example.cn/a.png"]}'
      )
      expect(twice.message).toContain("is given twice")
      const bytes = Uint8Array.from([
        ...new TextEncoder().encode('{"Files":["http://file.example.cn/'),
        0xff,
        0x22,
        0x5d,
        0x7d
      ])
      expect((yield* send("POST", purges, "apiVersion=1.0", bytes)).message).toBe("body: is not valid UTF-8")
      const dots = yield* send("POST", purges, "apiVersion=1.0", '{"Files":["http://file.example.cn/a/../../b"]}')
      expect(dots).toMatchObject({ status: 400, type: "MaliciousItemPathDetected" })
    })
  )

  it.effect("bandwidth has no granularity: one is refused, naming it; volume needs one", () =>
    Effect.gen(function* () {
      const bandwidth = yield* send("GET", `${endpointPath}/bandwidth`, `apiVersion=1.0&${range}&granularity=PerHour`)
      expect(bandwidth).toMatchObject({ status: 400, type: "ParameterInvalid" })
      expect(bandwidth.message).toContain("granularity: is not a key this call takes")
      expect((yield* send("GET", `${endpointPath}/bandwidth`, `apiVersion=1.0&${range}`)).status).toBe(200)
      const volume = yield* send("GET", `${endpointPath}/volume`, `apiVersion=1.0&${range}`)
      expect(volume).toMatchObject({ status: 400, type: "ParameterMissing" })
      expect(volume.message).toBe("granularity: is missing")
    })
  )

  it.effect("a revoked key answers InvalidApiKey (the control API revokes and restores keys)", () =>
    Effect.gen(function* () {
      const revoked = yield* send(
        "GET",
        `${endpointPath}/operations/${seed.operationId}`,
        "apiVersion=1.0",
        undefined,
        {
          prepare: (emulator) => emulator.store.revokedKeys.add("emulator-key")
        }
      )
      expect(revoked).toMatchObject({ status: 401, type: "InvalidApiKey" })
    })
  )

  it.effect("through the control API and CdnClient: revoked, then restored", () =>
    withEmulator()(
      Effect.gen(function* () {
        expect((yield* control("PUT", "/_emulator/revoked-keys", { KeyIds: ["emulator-key"] })).status).toBe(200)
        const client = yield* CdnClient.CdnClient
        expect((yield* failureOf(client.getOperation(seedRefUpper)))._tag).toBe("InvalidApiKey")
        yield* control("PUT", "/_emulator/revoked-keys", { KeyIds: [] })
        expect((yield* client.getOperation(seedRefUpper)).status).toBe("Succeeded")
      })
    )
  )
})

describe("--endpoint-shape documented: the documents' spelling, end to end", () => {
  it.effect('answers EndpointID, Setting and "Enabled": "true"; the client reads them as the live shape', () =>
    Effect.gen(function* () {
      const raw = yield* send("GET", endpointPath, "apiVersion=1.0", undefined, {
        options: { endpointShape: "documented" }
      })
      expect(raw.json).toMatchObject({
        EndpointID: seed.endpointId,
        Setting: { CustomDomain: "file.example.cn" },
        Status: { Enabled: "true", LifetimeStatus: "Normal" }
      })
      yield* withEmulator({ emulator: { endpointShape: "documented" } })(
        Effect.gen(function* () {
          const client = yield* CdnClient.CdnClient
          const [listed] = yield* client.listEndpoints({ subscriptionId: seed.subscriptionId })
          const endpoint = yield* client.getEndpoint({
            subscriptionId: seed.subscriptionId,
            endpointId: seed.endpointId
          })
          expect(listed?.settings.customDomain).toBe("file.example.cn")
          expect(endpoint.status.enabled).toBe(true)
          expect(endpoint.endpointId).toBe(seed.endpointId)
          const created = yield* client.createEndpoint({
            subscriptionId: seed.subscriptionId,
            customDomain: "new.example.cn",
            icp: "京ICP备16013159号",
            originAddresses: ["origin.example.cn"],
            serviceType: "Web"
          })
          expect(created.status).toMatchObject({ enabled: false, lifetimeStatus: "Creating" })
        })
      )
    })
  )
})
