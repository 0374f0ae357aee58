/**
 * Runs the command tree with Node's platform layers, and ends the process with the exit code the outcome maps to.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Console, Effect, Layer } from "effect"
import * as Cli from "./Cli.js"
import { UsageError } from "./CliErrors.js"
import { find } from "./CommandTree.js"
import { candidateLines, candidates, shells } from "./Completion.js"
import { DryRunStop } from "./DryRun.js"
import { ExitCode, exitCodeOf } from "./ExitCode.js"
import { flagValue, globalFlags, hoist } from "./GlobalArgv.js"
import { commandHelp, rootHelp, widthFor } from "./Help.js"
import { withPlainConsole } from "./PlainConsole.js"
import { defectLine, failureLine } from "./Report.js"
import * as Secrets from "./Secrets.js"
import { forgetProfile } from "./Settings.js"
import { checkQuery, withShape } from "./ShapedOutput.js"
import * as StderrLogger from "./StderrLogger.js"
import { version } from "./Version.js"

const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, StderrLogger.layer)

// @effect/cli prints a usage error's whole help text itself; azcdn says it in one line of its own instead.
const withoutParserErrors = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (base) => Effect.withConsole(effect, { ...base, error: () => Effect.void }))

// `-o yaml` and `--query` reshape the json a command prints; with --query the output is json unless yaml is asked.
const shapeOf = (argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const output = flagValue(argv, ["-o", "--output"])
    const query = flagValue(argv, ["--query"])
    if (query === undefined) return { argv, shape: { yaml: output === "yaml", query } }
    if (output === "table" || output === "tsv") {
      return yield* new UsageError({ message: `--query applies to json or yaml output, not -o ${output}` })
    }
    yield* checkQuery(query)
    return { argv: output === undefined ? [...argv, "-o", "json"] : argv, shape: { yaml: output === "yaml", query } }
  })

// `--help` or `-h` anywhere before `--`: azcdn's own help for the command the words name.
const helpFor = (argv: ReadonlyArray<string>): Effect.Effect<boolean, UsageError> =>
  Effect.suspend(() => {
    const args = argv.slice(2)
    const end = args.indexOf("--")
    const before = end === -1 ? args : args.slice(0, end)
    if (!before.includes("--help") && !before.includes("-h")) return Effect.succeed(false)
    const root = Cli.commandTree()
    const words = hoist(argv, Cli.commandWords()).slice(2)
    const path: Array<string> = []
    for (const word of words) {
      if (word.startsWith("-")) break
      path.push(word)
    }
    const { command, rest } = find(root, path)
    if (rest.length > 0) {
      return Effect.fail(
        new UsageError({ message: `no command ${[...command.path, rest[0]].join(" ")} (see azcdn --help)` })
      )
    }
    const width = widthFor()
    const text = command.path.length === 0 ? rootHelp(root, width, version) : commandHelp(command, width)
    return Effect.as(Console.log(text.replace(/\n$/, "")), true)
  })

// `azcdn __complete <shell> <words…>`: the completion scripts' question, answered from the tree alone.
const completeFor = (argv: ReadonlyArray<string>): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    if (argv[2] !== "__complete") return Effect.succeed(false)
    const shell = shells.find((name) => name === argv[3]) ?? "bash"
    const found = candidates(Cli.commandTree(), argv.slice(4), new Set(globalFlags.keys()))
    // None is no line at all: a shell would read an empty line as one empty candidate.
    return Effect.as(found.length === 0 ? Effect.void : Console.log(candidateLines(shell, found)), true)
  })

/** The whole run: never fails; every outcome is an exit code, every failure one line on stderr. */
export const program = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode> =>
  Effect.suspend(() => {
    // Each run starts afresh (a startup snapshot holds whatever its warm-up left).
    Secrets.forget()
    forgetProfile()
    Secrets.rememberFrom(argv.slice(2), process.env)
    return Effect.flatMap(
      Effect.flatMap(completeFor(argv), (done) => (done ? Effect.succeed(true) : helpFor(argv))),
      (shown) =>
        shown
          ? Effect.void
          : Effect.flatMap(shapeOf(argv), ({ argv, shape }) =>
              withoutParserErrors(Cli.run(argv)).pipe(withShape(shape))
            )
    )
  }).pipe(
    Effect.as(ExitCode.Success),
    Effect.catchAll((failure) => {
      const line = failureLine(failure)
      return Effect.as(line === undefined ? Effect.void : Console.error(line), exitCodeOf(failure))
    }),
    Effect.catchAllDefect((defect) =>
      defect instanceof DryRunStop
        ? Effect.succeed(ExitCode.Success)
        : Effect.as(Console.error(defectLine(defect)), ExitCode.Failure)
    ),
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

const seed = [
  "a97459bf-e4c4-4d4f-94e4-b775f0f09f31",
  "5dd0413d-a2f9-442a-b836-128d87753fa9",
  "46fecf3c-e874-49aa-891d-0d4dc93213e0"
] as const

/** Offline commands whose code a build compiles ahead (into a code cache or a startup snapshot). */
export const warmUpCommands: ReadonlyArray<ReadonlyArray<string>> = [
  ["--help"],
  ["sign", "--method", "GET", "--url", "/x?apiVersion=1.0", "--key-id", "k", "--key-value", "v"],
  ["operation", "get", seed[0], "--subscription", seed[1], "--endpoint", seed[2], "--emulator", "-o", "table"],
  ["operation", "get", seed[0], "--subscription", seed[1], "--endpoint", seed[2], "--emulator", "-o", "json"],
  ["operation", "wait", seed[0], "--subscription", seed[1], "--endpoint", seed[2], "--emulator", "-o", "json"],
  ["endpoint", "list", "--subscription", seed[1], "--emulator", "-o", "tsv"]
]

/**
 * Runs warm-up commands with none of the developer's settings, their output dropped; fails if one ends with another
 * exit code than expected. Nothing of them stays: each run starts afresh.
 */
export const warmUp = async (
  commands: ReadonlyArray<ReadonlyArray<string>> = warmUpCommands,
  expected: ExitCode = ExitCode.Success
): Promise<void> => {
  const saved = { ...process.env }
  for (const name of Object.keys(process.env))
    if (name.startsWith("AZURE_CDN_") || name.startsWith("AZCDN_")) delete process.env[name]
  process.env.AZCDN_CONFIG = "/nonexistent/azcdn-warm-up.json"
  const write = process.stdout.write
  process.stdout.write = () => true
  try {
    for (const command of commands) {
      const code = await run(["node", "azcdn", ...command])
      if (code !== expected) throw new Error(`warm-up command ended with exit code ${code}: azcdn ${command.join(" ")}`)
    }
  } finally {
    process.stdout.write = write
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  }
}
