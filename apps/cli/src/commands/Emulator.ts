/**
 * `azcdn emulator [--port 8787] [--host 127.0.0.1]`: the emulator on a port, with the configured key or the demo
 * key, until SIGINT or SIGTERM.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Console, Deferred, Effect, Exit, Option, Redacted, type Scope } from "effect"
import { ListenFailed, UsageError } from "../CliErrors.js"
import { globalOptions } from "../GlobalOptions.js"
import { emulatorText } from "../Output.js"
import { demoKey, keyOr } from "../Settings.js"
import * as Stderr from "../Stderr.js"

/**
 * Listens for SIGINT and SIGTERM for the life of the scope (for this command they are the normal way to stop), and
 * gives the wait for the first one. Listening starts before the URL is printed, so a signal is never missed.
 */
const listenForStop: Effect.Effect<Effect.Effect<NodeJS.Signals>, never, Scope.Scope> = Effect.gen(function* () {
  const received = yield* Deferred.make<NodeJS.Signals>()
  const stop = (signal: NodeJS.Signals) => Deferred.unsafeDone(received, Exit.succeed(signal))
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      process.once("SIGINT", stop)
      process.once("SIGTERM", stop)
    }),
    () =>
      Effect.sync(() => {
        process.off("SIGINT", stop)
        process.off("SIGTERM", stop)
      })
  )
  return Deferred.await(received)
})

// The socket error's code (EADDRINUSE, EACCES) is what a person can act on.
const describeServeError = (error: { readonly cause?: unknown; readonly message: string }): string => {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  return typeof cause?.code === "string"
    ? `${cause.code}${typeof cause.message === "string" ? ` (${cause.message})` : ""}`
    : error.message
}

const loopback = new Set(["127.0.0.1", "::1", "localhost"])

export const emulator = Command.make(
  "emulator",
  {
    port: Options.integer("port").pipe(
      Options.withPseudoName("port"),
      Options.withDefault(8787),
      Options.withDescription("The port to listen on; 0 picks a free one")
    ),
    host: Options.text("host").pipe(
      Options.withPseudoName("host"),
      Options.withDefault("127.0.0.1"),
      Options.withDescription("The address to listen on; the control API is unsigned, so keep it on loopback")
    ),
    ...globalOptions
  },
  ({ port, host, ...flags }) =>
    Effect.gen(function* () {
      if (port < 0 || port > 65535) return yield* new UsageError({ message: `--port must be 0-65535, got ${port}` })
      const key = yield* keyOr(flags, demoKey)
      const stopped = yield* listenForStop
      // Loaded only here: the HTTP server is the heaviest part of the bundle.
      const { serve } = yield* Effect.promise(() => import("@org/cdn-emulator/Server"))
      const running = yield* serve({ port, host, keys: [{ id: key.id, value: Redacted.value(key.value) }] }).pipe(
        Effect.mapError(
          (error) => new ListenFailed({ message: `cannot listen on ${host}:${port}: ${describeServeError(error)}` })
        )
      )
      if (!loopback.has(host)) {
        yield* Stderr.line(
          `azcdn emulator: warning: the control API under /_emulator/ is unsigned: anyone who reaches ${host} can change it`
        )
      }
      yield* Console.log(
        emulatorText(
          running.url,
          key.id,
          Option.getOrElse(
            Option.map(flags.output, (choice) => (choice === "yaml" ? "json" : choice)),
            () => "line" as const
          )
        )
      )
      const signal = yield* stopped
      yield* Stderr.line(`azcdn emulator: ${signal} received, stopping`)
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    `Run the emulator of the CDN API on a port until Ctrl-C or SIGTERM. It accepts the configured key, or when none is set the demo key: ID ${demoKey.id}, value ${Redacted.value(demoKey.value)}.`
  )
)
