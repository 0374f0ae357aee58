/**
 * The emulator on a real port, for the CLI, the proxy, other languages and curl.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Effect, Exit, Scope } from "effect"
import { app } from "./App.js"
import { Emulator, type EmulatorState, make } from "./Emulator.js"
import type { EmulatorOptions } from "./EmulatorOptions.js"

export interface ServeOptions extends EmulatorOptions {
  /** Default 0: any free port. */
  readonly port?: number
  /** Default 127.0.0.1: the control API is unsigned, so the emulator stays on loopback unless told otherwise. */
  readonly host?: string
}

/** A listening emulator. */
export interface RunningEmulator {
  /** Base URL to give a client, e.g. `http://127.0.0.1:8787`. */
  readonly url: string
  readonly port: number
  readonly host: string
  /** Its state, for tests in the same process. */
  readonly emulator: EmulatorState
}

// On a real socket a dropped connection is a reset socket, as a failing gateway would do.
const appOnNode = app.pipe(
  Effect.catchTag("ConnectionDropped", () =>
    Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
      NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
      return HttpServerResponse.empty()
    })
  )
)

/** Starts an emulator on a port for the life of the scope. */
export const serve = (options: ServeOptions = {}): Effect.Effect<RunningEmulator, ServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const emulator = make(options)
    const host = options.host ?? "127.0.0.1"
    const node = createServer()
    const server = yield* NodeHttpServer.make(() => node, { port: options.port ?? 0, host })
    yield* server.serve(appOnNode).pipe(Effect.provideService(Emulator, emulator))
    const { port } = node.address() as AddressInfo
    const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host
    return { url: `http://${urlHost}:${port}`, port, host, emulator }
  })

/** Starts an emulator on a port, for code that does not use Effect; `close()` stops it. */
export const start = async (
  options: ServeOptions = {}
): Promise<RunningEmulator & { readonly close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const running = await Effect.runPromise(Scope.extend(serve(options), scope))
  return { ...running, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
