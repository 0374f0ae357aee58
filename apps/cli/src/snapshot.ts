/**
 * The entry of azcdn's V8 startup snapshot (built by build.mjs with `node --build-snapshot`): the command tree is
 * loaded and its code warmed up at build time, so a start deserializes it instead of evaluating and compiling it.
 * Run as `node --snapshot-blob azcdn.blob -- <args>` (the `dist/azcdn` launcher does it). The warm-up stays
 * offline: Node's HTTP modules (and fetch's Request, which loads them) cannot be held in a snapshot.
 */
import { startupSnapshot } from "node:v8"
import { Operation } from "@org/cdn-core/Operation"
import { Schema } from "effect"
import { main, warmUp } from "./bin.js"
import { ExitCode } from "./ExitCode.js"
import { operationText } from "./Output.js"
import { version } from "./Version.js"

const seed = [
  "a97459bf-e4c4-4d4f-94e4-b775f0f09f31",
  "5dd0413d-a2f9-442a-b836-128d87753fa9",
  "46fecf3c-e874-49aa-891d-0d4dc93213e0"
]

// The parser and the commands up to the point where they would send something.
const offline = [
  ["--help"],
  [
    "operation",
    "get",
    seed[0] as string,
    "--subscription",
    "not-a-guid",
    "--endpoint",
    seed[2] as string,
    "--key-id",
    "k",
    "--key-value",
    "v"
  ],
  [
    "purge",
    "--subscription",
    seed[1] as string,
    "--endpoint",
    seed[2] as string,
    "--url",
    "/not-absolute",
    "--key-id",
    "k",
    "--key-value",
    "v"
  ]
]

// Reading and printing an answer. (Not the signing: the HMAC key object is a native handle, which a snapshot cannot
// hold.)
const answer = {
  Id: seed[0],
  Type: "Purge",
  Status: "Succeeded",
  Message: null,
  Start: "2017-05-02T06:34:07.869Z",
  End: "2017-05-02T06:44:07.869Z",
  EndpointId: seed[2],
  SubscriptionId: seed[1]
}
const readAndPrint = () => {
  const operation = Schema.decodeUnknownSync(Operation)(answer)
  for (const format of ["json", "table", "tsv"] as const) operationText(operation, format)
}

const build = async () => {
  await warmUp([["sign", "--method", "GET", "--url", "/x?apiVersion=1.0", "--key-id", "k", "--key-value", "v"]])
  await warmUp(offline.slice(1), ExitCode.Usage)
  await warmUp(offline.slice(0, 1))
  for (let i = 0; i < 3; i++) readAndPrint()
}

build().then(
  () =>
    startupSnapshot.setDeserializeMainFunction(() => {
      const args = process.argv.slice(1)
      // As the bundle's entry does: the version alone, as scripts expect it.
      if (args.length === 1 && args[0] === "--version") process.stdout.write(`${version}\n`)
      // Under a snapshot argv has no script path: the command line's parser expects one.
      else main([process.argv[0] as string, "azcdn", ...args])
    }),
  (error: unknown) => {
    process.stderr.write(`azcdn snapshot: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
)
