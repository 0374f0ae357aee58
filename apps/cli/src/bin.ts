/**
 * Runs the command tree with Node's platform layers, and ends the process with the exit code the outcome maps to.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Console, Effect, Layer } from "effect"
import * as Cli from "./Cli.js"
import { ExitCode, exitCodeOf } from "./ExitCode.js"
import { withPlainConsole } from "./PlainConsole.js"
import { defectLine, failureLine } from "./Report.js"
import * as Secrets from "./Secrets.js"
import * as StderrLogger from "./StderrLogger.js"

const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, StderrLogger.layer)

// @effect/cli prints a usage error's whole help text itself; azcdn says it in one line of its own instead.
const withoutParserErrors = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (base) => Effect.withConsole(effect, { ...base, error: () => Effect.void }))

/** The whole run: never fails; every outcome is an exit code, every failure one line on stderr. */
export const program = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode> =>
  Effect.suspend(() => {
    Secrets.rememberFrom(argv.slice(2), process.env)
    return withoutParserErrors(Cli.run(argv))
  }).pipe(
    Effect.as(ExitCode.Success),
    Effect.catchAll((failure) => {
      const line = failureLine(failure)
      return Effect.as(line === undefined ? Effect.void : Console.error(line), exitCodeOf(failure))
    }),
    Effect.catchAllDefect((defect) => Effect.as(Console.error(defectLine(defect)), ExitCode.Failure)),
    withPlainConsole,
    Effect.provide(platform)
  )

/** Runs `azcdn` on a command line (`node script args...`) to its exit code. */
export const run = (argv: ReadonlyArray<string>): Promise<ExitCode> => Effect.runPromise(program(argv))

/**
 * Runs `azcdn` with `process.argv`. No signal handler is installed: Ctrl-C ends a command at once with the shell's
 * usual code, except `emulator`, which listens for the signal itself to close its port and exit 0.
 */
export const main = (argv: ReadonlyArray<string>): void => {
  run(argv).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`${Secrets.scrub(defectLine(error))}\n`)
      process.exitCode = ExitCode.Failure
    }
  )
}
