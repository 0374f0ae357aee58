#!/usr/bin/env node
/**
 * `cdn-emulator [--port 8787] [--host 127.0.0.1] [--lenient] [--endpoint-shape live|documented]`: the emulator on a
 * port until SIGINT/SIGTERM.
 * Keys from AZURE_CDN_KEY_ID / AZURE_CDN_KEY_VALUE, else the demo key.
 */
import { parseArgs } from "node:util"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect } from "effect"
import { demoKey } from "./EmulatorOptions.js"
import { serve } from "./Server.js"

const main = Effect.gen(function* () {
  const { values } = yield* Effect.try({
    try: () =>
      parseArgs({
        options: {
          port: { type: "string", default: "8787" },
          host: { type: "string", default: "127.0.0.1" },
          lenient: { type: "boolean", default: false },
          "endpoint-shape": { type: "string", default: "live" }
        }
      }),
    catch: (error) => (error as Error).message
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return yield* Effect.fail(`--port must be 0-65535, got ${values.port}`)
  const shape = values["endpoint-shape"]
  if (shape !== "live" && shape !== "documented") {
    return yield* Effect.fail(`--endpoint-shape must be live or documented, got ${JSON.stringify(shape)}`)
  }
  const id = process.env.AZURE_CDN_KEY_ID
  const value = process.env.AZURE_CDN_KEY_VALUE
  const key = id && value ? { id, value } : demoKey
  const running = yield* serve({
    port,
    host: values.host,
    keys: [key],
    verification: values.lenient ? "lenient" : "strict",
    endpointShape: shape
  })
  yield* Console.log(`cdn-emulator listening on ${running.url} (key ID ${key.id})`)
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.catchAll((error) =>
    Console.error(`cdn-emulator: ${typeof error === "string" ? error : error.message}`).pipe(
      Effect.zipRight(Effect.sync(() => process.exit(2)))
    )
  )
)

NodeRuntime.runMain(main, { disablePrettyLogger: true })
