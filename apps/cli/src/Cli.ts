/**
 * The command tree: `azcdn operation`, `purge`, `preload`, `endpoint`, `traffic`, `sign`, `emulator`, with the
 * exit codes in `--help`.
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import { Array as Arr, Effect } from "effect"
import { UsageError } from "./CliErrors.js"
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
import { exitCodeTable } from "./ExitCode.js"
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
  "azcdn purge|preload|endpoint|cache-rules|access-control|traffic|https|operation|configure|sign|emulator"
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
    emulator
  ])
)

const environment: ReadonlyArray<readonly [string, string]> = [
  ["AZCDN_CONFIG", "the profiles file (--profile); default ~/.config/azcdn/config.json"],
  ["AZCDN_PROFILE", "the profile to use when --profile is not given"],
  ["AZURE_CDN_BASE_URL", "the API's base URL (--base-url); default https://restapi.cdn.azure.cn"],
  ["AZURE_CDN_KEY_ID", "the API key's ID (--key-id)"],
  ["AZURE_CDN_KEY_VALUE", "the API key's value (--key-value, --key-value-file)"],
  ["AZURE_CDN_TIMEOUT", "one attempt's time limit, e.g. '10 seconds'"],
  ["AZURE_CDN_MAX_ATTEMPTS", "attempts per call, retries included; default 4"],
  ["AZURE_CDN_MAX_RETRY_TIME", "a call's deadline across all its attempts, e.g. '30 seconds' (--timeout wins)"]
]

const list = (rows: ReadonlyArray<readonly [string, string]>): HelpDoc.HelpDoc => {
  const items = rows.map(([term, meaning]): [Span.Span, HelpDoc.HelpDoc] => [Span.text(term), HelpDoc.p(meaning)])
  return Arr.isNonEmptyArray(items) ? HelpDoc.descriptionList(items) : HelpDoc.empty
}

const footer = HelpDoc.blocks([
  HelpDoc.h1("EXIT CODES"),
  list(exitCodeTable.map(([code, meaning]) => [String(code), meaning] as const)),
  HelpDoc.h1("ENVIRONMENT (flags win over these)"),
  list(environment)
])

const runTree = Command.run(azcdn, { name: "azcdn", version, footer })

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

/** Parses the command line (`node script args...`), global flags anywhere, and runs the command it names. */
export const run = (argv: ReadonlyArray<string>) => {
  words ??= wordsOf(azcdn.descriptor as unknown as Node, new Set())
  words.delete("azcdn")
  return runTree(hoist(argv, words))
}
