/**
 * The command tree: `azcdn operation`, `purge`, `preload`, `endpoint`, `traffic`, `sign`, `emulator`.
 */
import * as Command from "@effect/cli/Command"
import { Effect } from "effect"
import { UsageError } from "./CliErrors.js"
import { type CommandSpec, treeOf } from "./CommandTree.js"
import { completion } from "./commands/Completion.js"
import { accessControl, cacheRules } from "./commands/Configuration.js"
import { configure } from "./commands/Configure.js"
import { emulator } from "./commands/Emulator.js"
import { endpoint } from "./commands/Endpoint.js"
import { https } from "./commands/Https.js"
import { operationGet } from "./commands/OperationGet.js"
import { operationWait } from "./commands/OperationWait.js"
import { preload } from "./commands/Preload.js"
import { purge } from "./commands/Purge.js"
import { sign } from "./commands/Sign.js"
import { traffic } from "./commands/Traffic.js"
import { hoist } from "./GlobalArgv.js"
import { version } from "./Version.js"

// A group on its own is not a command: say which ones there are.
const group = (name: string, usage: string) =>
  Command.make(name, {}, () =>
    Effect.fail(
      new UsageError({ message: `choose a command: ${usage} (see ${name === "azcdn" ? "" : "azcdn "}${name} --help)` })
    )
  )

const operation = group("operation", "azcdn operation get|wait").pipe(
  Command.withDescription("Asynchronous operations: purges and preloads."),
  Command.withSubcommands([operationGet, operationWait])
)

const azcdn = group(
  "azcdn",
  "azcdn purge|preload|endpoint|cache-rules|access-control|traffic|https|operation|configure|sign|emulator|completion"
).pipe(
  Command.withDescription("The command line for the Azure China CDN REST API."),
  Command.withSubcommands([
    purge,
    preload,
    operation,
    endpoint,
    cacheRules,
    accessControl,
    traffic,
    https,
    configure,
    sign,
    emulator,
    completion
  ])
)

// Help is azcdn's own (see Help.ts); the parser keeps --version.
const runTree = Command.run(azcdn, { name: "azcdn", version })

// A node of @effect/cli's command tree, as its descriptors are built (their shape is not part of its typed API).
type Node =
  | { readonly _tag: "Standard" | "GetUserInput"; readonly name: string }
  | { readonly _tag: "Map"; readonly command: Node }
  | { readonly _tag: "Subcommands"; readonly parent: Node; readonly children: ReadonlyArray<Node> }

// Every command word of the tree below the root (`endpoint`, `list`, `cache-rules`, …).
const wordsOf = (node: Node, into: Set<string>): Set<string> => {
  switch (node._tag) {
    case "Map":
      return wordsOf(node.command, into)
    case "Subcommands":
      for (const child of node.children) wordsOf(child, into)
      return wordsOf(node.parent, into)
    default:
      into.add(node.name)
      return into
  }
}
let words: Set<string> | undefined
let tree: CommandSpec | undefined

/** The command tree as plain data, for help and completions. */
export const commandTree = (): CommandSpec => {
  tree ??= treeOf(azcdn.descriptor)
  return tree
}

/** Every command word of the tree (`endpoint`, `list`, …). */
export const commandWords = (): ReadonlySet<string> => {
  words ??= wordsOf(azcdn.descriptor as unknown as Node, new Set())
  words.delete("azcdn")
  return words
}

/** Parses the command line (`node script args...`), global flags anywhere, and runs the command it names. */
export const run = (argv: ReadonlyArray<string>) => {
  return runTree(hoist(argv, commandWords()))
}
