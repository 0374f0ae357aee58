/**
 * An `HttpClient` whose requests are answered by an emulator in the same process: no port, no network,
 * and the emulator shares the caller's `Clock`, so `TestClock` drives both.
 */
import {
  HttpClient,
  HttpClientError,
  type HttpClientRequest,
  HttpClientResponse,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import { app } from "./App.js"
import { Emulator, type EmulatorState, make } from "./Emulator.js"
import type { EmulatorOptions } from "./EmulatorOptions.js"

const bodyOf = (request: HttpClientRequest.HttpClientRequest): BodyInit | undefined => {
  switch (request.body._tag) {
    case "Uint8Array":
      return request.body.body as Uint8Array<ArrayBuffer>
    case "Raw":
      return typeof request.body.body === "string" ? request.body.body : undefined
    default:
      return undefined
  }
}

// What undici reports when the other side resets the connection.
const reset = (request: HttpClientRequest.HttpClientRequest) =>
  new HttpClientError.RequestError({
    request,
    reason: "Transport",
    cause: Object.assign(new Error("other side closed"), { code: "ECONNRESET" }),
    description: "the emulator dropped the connection"
  })

/** An `HttpClient` answered by the given emulator. */
export const httpClient = (emulator: EmulatorState): HttpClient.HttpClient =>
  HttpClient.make((request, url) => {
    const body = bodyOf(request)
    const web = new Request(url, {
      method: request.method,
      headers: request.headers,
      ...(body === undefined ? {} : { body })
    })
    return app.pipe(
      Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(web)),
      Effect.provideService(Emulator, emulator),
      Effect.map((response) => HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response))),
      Effect.catchTag("ConnectionDropped", () => Effect.fail(reset(request)))
    )
  })

/** `HttpClient` and `Emulator` from a fresh emulator: give it to `CdnClient` and inspect the emulator in tests. */
export const layer = (options?: EmulatorOptions): Layer.Layer<HttpClient.HttpClient | Emulator> =>
  Layer.effectContext(
    Effect.sync(() => {
      const emulator = make(options)
      return Context.make(Emulator, emulator).pipe(Context.add(HttpClient.HttpClient, httpClient(emulator)))
    })
  )
