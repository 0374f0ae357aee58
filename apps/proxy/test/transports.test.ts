/**
 * The three transports agree: fetch (any `HttpClient`), node:http (the CLI's) and undici (this proxy's) send the same
 * `Accept-Encoding`, decode gzip, deflate and br alike, and answer a body that cannot be decoded, a coding none
 * decodes and headers larger than Node accepts with the same `TransportError`. One suite, run against all three.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib"
import { FetchHttpClient } from "@effect/platform"
import { CdnClient, CdnConfig, type Errors, NodeHttpTransport, Transport, TransportClient } from "@org/cdn-core"
import { Effect, Either, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as UndiciTransport from "../src/UndiciTransport.js"

const s = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const e = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const operation = JSON.stringify({
  Id: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31",
  Type: "Purge",
  Status: "Succeeded",
  Message: null,
  Start: "2017-05-02T06:34:07Z",
  End: "2017-05-02T06:44:07Z",
  EndpointId: e,
  SubscriptionId: s
})

// What the server answers for each operation id: the body's bytes and its Content-Encoding.
const scenarios: Record<
  string,
  { readonly encoding?: string; readonly body: Buffer; readonly headers?: Record<string, string> }
> = {
  "00000000-0000-4000-8000-000000000001": { body: Buffer.from(operation) },
  "00000000-0000-4000-8000-000000000002": { encoding: "gzip", body: gzipSync(operation) },
  "00000000-0000-4000-8000-000000000003": { encoding: "deflate", body: deflateSync(operation) },
  "00000000-0000-4000-8000-000000000004": { encoding: "br", body: brotliCompressSync(operation) },
  "00000000-0000-4000-8000-000000000005": { encoding: "gzip, br", body: brotliCompressSync(gzipSync(operation)) },
  "00000000-0000-4000-8000-000000000006": { encoding: "deflate", body: deflateRawSync(operation) },
  // A plain body labelled gzip: no transport may take it as fine.
  "00000000-0000-4000-8000-000000000007": { encoding: "gzip", body: Buffer.from(operation) },
  "00000000-0000-4000-8000-000000000008": { encoding: "zstd", body: Buffer.from(operation) },
  "00000000-0000-4000-8000-000000000009": { body: Buffer.from(operation), headers: { "x-big": "a".repeat(70_000) } }
}
const ok = Object.keys(scenarios).slice(0, 6)
const [plainAsGzip, zstd, bigHeaders] = Object.keys(scenarios).slice(6) as [string, string, string]

let server: Server
let baseUrl: string
const seen: Array<string | undefined> = []

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    seen.push(request.headers["accept-encoding"])
    const id = (request.url ?? "").split("?")[0]?.split("/").pop() ?? ""
    const scenario = scenarios[id]
    if (scenario === undefined) return response.writeHead(404).end()
    response.writeHead(200, {
      "content-type": "application/json",
      "x-correlation-id": `corr-${id.slice(-1)}`,
      ...(scenario.encoding === undefined ? {} : { "content-encoding": scenario.encoding }),
      ...scenario.headers
    })
    response.end(scenario.body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const transports: ReadonlyArray<readonly [string, () => Layer.Layer<Transport.Transport, never, CdnConfig.CdnConfig>]> =
  [
    ["fetch", () => Transport.fromHttpClient.pipe(Layer.provide(FetchHttpClient.layer))],
    ["node:http", () => NodeHttpTransport.layer()],
    ["undici", () => UndiciTransport.layer()]
  ]

const poll = (transport: () => Layer.Layer<Transport.Transport, never, CdnConfig.CdnConfig>, operationId: string) =>
  Effect.flatMap(CdnClient.CdnClient, (client) =>
    client.getOperation({ subscriptionId: s, endpointId: e, operationId })
  ).pipe(
    Effect.either,
    Effect.provide(
      TransportClient.layer.pipe(
        Layer.provide(transport()),
        Layer.provide(CdnConfig.layer({ baseUrl, keyId: "k", keyValue: "v", retry: { maxAttempts: 1 } })),
        Layer.orDie
      )
    ),
    Effect.runPromise
  )

// Each outcome per transport, for comparing them; URLs are the same for all.
const outcomes = async (operationId: string) => {
  const out: Record<string, Either.Either<unknown, Errors.CdnError>> = {}
  for (const [name, transport] of transports) out[name] = await poll(transport, operationId)
  return out
}

describe("every transport, the same contract", () => {
  it("sends Accept-Encoding: gzip, deflate, br on every request", async () => {
    seen.length = 0
    await outcomes(ok[0] as string)
    expect(seen).toEqual(["gzip, deflate, br", "gzip, deflate, br", "gzip, deflate, br"])
  })

  it.each(ok)(
    "decodes the same operation from %s (plain, gzip, deflate, br, gzip then br, raw deflate)",
    async (id) => {
      for (const [name, outcome] of Object.entries(await outcomes(id))) {
        if (Either.isLeft(outcome)) throw new Error(`${name}: ${outcome.left.message}`)
        expect((outcome.right as { status: string }).status).toBe("Succeeded")
      }
    }
  )

  it.each([
    [
      "a plain body labelled gzip",
      plainAsGzip,
      "ERR_DECOMPRESSION",
      "could not be decompressed: gzip (incorrect header check)"
    ],
    [
      "a coding none decodes",
      zstd,
      "ERR_DECOMPRESSION",
      "could not be decompressed: zstd (not one of gzip, deflate, br)"
    ],
    ["headers larger than Node accepts", bigHeaders, "ERR_HEADERS_OVERFLOW", "headers from 127.0.0.1"]
  ])("%s is the same TransportError on each", async (_what, id, code, says) => {
    const errors = Object.entries(await outcomes(id)).map(([name, outcome]) => {
      if (Either.isRight(outcome)) throw new Error(`${name} took it as fine`)
      return outcome.left
    })
    for (const error of errors) {
      expect(error).toMatchObject({ _tag: "TransportError", code })
      expect(error.message).toContain(says)
    }
    // Word for word the same, correlation id and status included where an answer came.
    expect(new Set(errors.map((error) => JSON.stringify(error))).size).toBe(1)
  })
})
