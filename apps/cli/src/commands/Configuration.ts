/**
 * `azcdn cache-rules get|set` and `azcdn access-control get|set`: an endpoint's configuration in the service's own
 * JSON. `set` reads the whole document (`--from-file path|-`, the shape `get -o json` prints), shows what it changes
 * and asks first on a terminal (else `--yes`), then follows the operation with `--wait`.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { AsyncResult } from "@org/cdn-core/AsyncResult"
import * as CdnApi from "@org/cdn-core/CdnApi"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { AccessControlShape, CachePolicyShape } from "@org/cdn-core/Configuration"
import { Console, Effect, Either, Option, Schema } from "effect"
import { OperationFailed, UsageError } from "../CliErrors.js"
import * as Client from "../Client.js"
import { confirm, yesFlag } from "../Confirm.js"
import { acceptedText } from "../ContentText.js"
import { lineDiff } from "../Diff.js"
import { dryRunOption } from "../DryRun.js"
import * as DurationText from "../DurationText.js"
import { type GlobalFlags, globalOptions } from "../GlobalOptions.js"
import { endpointRefOptions } from "../Ids.js"
import * as JsonFile from "../JsonFile.js"
import { formatFor, operationText } from "../Output.js"
import { anyEndpoint, endpointRef, subscriptionOf } from "../Refs.js"
import * as Stderr from "../Stderr.js"
import { withVerbosity } from "../StderrLogger.js"
import { documentTable, documentTsv } from "../Table.js"
import { endedAs, started, waitFlag, waitOptions } from "../Waiting.js"

const fromFile = Options.text("from-file").pipe(
  Options.withPseudoName("path|-"),
  Options.withDescription(
    "The whole document, in the service's JSON (as `get -o json` prints it; keys in any case, no others); - reads stdin"
  )
)

const pretty = (value: unknown) => JSON.stringify(value, null, 2)

/** get and set for one kind of configuration. */
const group = <A>(options: {
  readonly name: string
  readonly what: string
  readonly get: CdnApi.AnyCall
  readonly set: CdnApi.AnyCall
  readonly encode: (value: A) => unknown
}) => {
  const formatOf = (flags: GlobalFlags) => formatFor(flags.output, process.stdout.isTTY === true)

  const get = Command.make(
    "get",
    { ...endpointRefOptions, timeout: DurationText.callTimeout, ...globalOptions },
    ({ subscriptionId, endpointId, timeout, ...flags }) =>
      Effect.flatMap(Effect.zip(CdnClient, endpointRef(flags, { subscriptionId, endpointId })), ([cdn, ids]) =>
        cdn.request(options.get, ids)
      ).pipe(
        // json (and the default) prints the service's JSON: the document `set` reads back; -o table|tsv a view of it.
        Effect.flatMap((response) => {
          const document = options.encode(response.value as A) as Record<string, unknown>
          const asked = Option.getOrUndefined(flags.output)
          return Console.log(
            asked === "table" ? documentTable(document) : asked === "tsv" ? documentTsv(document) : pretty(document)
          )
        }),
        Effect.provide(Client.layer(flags, timeout)),
        withVerbosity(flags.verbose)
      )
  ).pipe(Command.withDescription(`Print an endpoint's ${options.what} in the service's JSON.`))

  const set = Command.make(
    "set",
    {
      ...endpointRefOptions,
      fromFile,
      yes: yesFlag,
      wait: waitFlag,
      ...waitOptions,
      dryRun: dryRunOption,
      ...globalOptions
    },
    ({ subscriptionId, endpointId, fromFile: path, yes, wait, interval, timeout, ...flags }) =>
      Effect.gen(function* () {
        const document = yield* JsonFile.read("--from-file", path)
        const read = (ids: { readonly subscriptionId: string; readonly endpointId: string }) =>
          Either.match(CdnApi.readRequest(options.set, { params: ids, query: "", body: document }), {
            onLeft: (refused) => Effect.fail(new UsageError({ message: `--from-file: ${refused.message}` })),
            onRight: Effect.succeed
          })
        // The document is read as the service reads a body, and refused before anything is sent (the GET, or the
        // list that finds an endpoint by its domain): first for any endpoint, then for this one.
        yield* read({ subscriptionId: yield* subscriptionOf(flags, subscriptionId), endpointId: anyEndpoint })
        const ids = yield* endpointRef(flags, { subscriptionId, endpointId })
        const input = yield* read(ids)
        const cdn = yield* CdnClient
        // What changes, from what is there now to what the document says (in the shape the service will hold).
        const current = yield* cdn.request(options.get, ids)
        const before = pretty(options.encode(current.value as A))
        const after = pretty(Schema.encodeUnknownSync(options.set.payload as Schema.Schema<unknown, unknown>)(input))
        yield* Stderr.line(before === after ? `azcdn: the ${options.what} already read so` : lineDiff(before, after))
        // A dry run asks nothing: it sends nothing.
        yield* confirm(`Set the ${options.what} of endpoint ${ids.endpointId}?`, yes || flags.dryRun)
        const { accepted, followed } = yield* started(
          `${options.name} set`,
          ids,
          Effect.map(cdn.request(options.set, input), (response) => response.value as AsyncResult),
          { wait, interval, timeout }
        )
        const id = accepted.taskTrackId
        if (followed === undefined || id === undefined) {
          return yield* Console.log(acceptedText(accepted, formatOf(flags)))
        }
        const { operation } = followed
        yield* Console.log(operationText(operation, formatOf(flags)))
        if (operation.status !== "Succeeded") {
          return yield* new OperationFailed({
            operationId: id,
            message: `${options.name} set ${id} ended ${endedAs(followed)}`
          })
        }
      }).pipe(Effect.provide(Client.layer(flags)), withVerbosity(flags.verbose))
  ).pipe(
    Command.withDescription(`Replace an endpoint's ${options.what}; shows the change and asks first (--yes: don't).`)
  )

  return Command.make(options.name, {}, () =>
    Effect.fail(new UsageError({ message: `choose a command: azcdn ${options.name} get|set` }))
  ).pipe(Command.withDescription(`An endpoint's ${options.what}.`), Command.withSubcommands([get, set]))
}

export const cacheRules = group<CachePolicyShape>({
  name: "cache-rules",
  what: "cache rules",
  get: CdnApi.calls.getCacheRules as CdnApi.AnyCall,
  set: CdnApi.calls.setCacheRules as CdnApi.AnyCall,
  encode: Schema.encodeSync(CachePolicyShape)
})

export const accessControl = group<AccessControlShape>({
  name: "access-control",
  what: "access control",
  get: CdnApi.calls.getAccessControl as CdnApi.AnyCall,
  set: CdnApi.calls.setAccessControl as CdnApi.AnyCall,
  encode: Schema.encodeSync(AccessControlShape)
})
