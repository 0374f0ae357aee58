/**
 * What `purge` and `preload` share: the URLs from flags and a file, the call, and with `--wait` the operation
 * followed to its end and the per-item results, exit 4 when it or any item Failed.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import type { FileSystem } from "@effect/platform/FileSystem"
import type { AsyncResult } from "@org/cdn-core/AsyncResult"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { isItemFailed } from "@org/cdn-core/Content"
import type { CdnError } from "@org/cdn-core/Errors"
import { Console, type Duration, Effect, Option } from "effect"
import { OperationFailed, type UsageError } from "../CliErrors.js"
import * as Client from "../Client.js"
import { acceptedText, finishedText, type Items, itemsText } from "../ContentText.js"
import * as DurationText from "../DurationText.js"
import { type GlobalFlags, globalOptions } from "../GlobalOptions.js"
import { endpointRefOptions } from "../Ids.js"
import { formatFor } from "../Output.js"
import { endpointRef } from "../Refs.js"
import { withVerbosity } from "../StderrLogger.js"
import * as UrlFile from "../UrlFile.js"
import { endedAs, started } from "../Waiting.js"

/** The URLs given with a flag, then those of `--from-file`. */
export const urlsFrom = (
  given: ReadonlyArray<string>,
  fromFile: Option.Option<string>
): Effect.Effect<ReadonlyArray<string>, UsageError, FileSystem> =>
  Option.match(fromFile, {
    onNone: () => Effect.succeed(given),
    onSome: (path) => Effect.map(UrlFile.read(path), (listed) => [...given, ...listed])
  })

/** The endpoint a job works on, by its GUIDs. */
export interface Ids {
  readonly subscriptionId: string
  readonly endpointId: string
}

export interface Job {
  /** `purge` or `preload`, for messages. */
  readonly what: string
  /** The endpoint as given (flags, environment, profile; a GUID or a domain), found before anything is started. */
  readonly given: { readonly subscriptionId: Option.Option<string>; readonly endpointId: Option.Option<string> }
  readonly start: (client: CdnClient, ids: Ids) => Effect.Effect<AsyncResult, CdnError | UsageError>
  readonly results: (client: CdnClient, ids: Ids, id: string) => Effect.Effect<Items, CdnError>
  readonly wait: boolean
  readonly interval: Duration.Duration
  readonly timeout: Duration.Duration
  readonly flags: GlobalFlags
}

/** Starts the job; without `--wait` prints its id, with it follows it and prints the items. */
export const run = (job: Job) =>
  Effect.gen(function* () {
    const format = formatFor(job.flags.output, process.stdout.isTTY === true)
    const client = yield* CdnClient
    const ids = yield* endpointRef(job.flags, job.given)
    // With --wait the id goes to stderr: stdout is kept for the results, which a script may parse.
    const { accepted, followed } = yield* started(job.what, ids, job.start(client, ids), job)
    const id = accepted.taskTrackId
    if (followed === undefined || id === undefined) {
      yield* Console.log(acceptedText(accepted, format))
      return
    }
    const { operation } = followed
    const items = yield* job.results(client, ids, id)
    yield* Console.log(finishedText(operation, items, format))
    const failed = [...items.files, ...(items.directories ?? [])].filter((item) => isItemFailed(item.status)).length
    if (operation.status !== "Succeeded" || failed > 0) {
      const why = failed > 0 ? `${failed} item${failed === 1 ? "" : "s"} Failed` : `it ended ${endedAs(followed)}`
      return yield* new OperationFailed({ operationId: id, message: `${job.what} ${id}: ${why}` })
    }
  }).pipe(Effect.provide(Client.layer(job.flags)), withVerbosity(job.flags.verbose))

/** `purge show <id>` / `preload show <id>`: a job's per-item results. */
export const showCommand = (
  what: "purge" | "preload",
  statuses: string,
  results: (
    client: CdnClient,
    ids: { subscriptionId: string; endpointId: string },
    id: string
  ) => Effect.Effect<Items, CdnError>
) =>
  Command.make(
    "show",
    {
      id: Args.text({ name: `${what}-id` }).pipe(Args.withDescription(`The ${what}'s id (its TaskTrackId)`)),
      ...endpointRefOptions,
      timeout: DurationText.callTimeout,
      ...globalOptions
    },
    ({ id, subscriptionId, endpointId, timeout, ...flags }) =>
      Effect.flatMap(Effect.zip(CdnClient, endpointRef(flags, { subscriptionId, endpointId })), ([cdn, ids]) =>
        results(cdn, ids, id)
      ).pipe(
        Effect.flatMap((items) =>
          Console.log(itemsText(items, formatFor(flags.output, process.stdout.isTTY === true)))
        ),
        Effect.provide(Client.layer(flags, timeout)),
        withVerbosity(flags.verbose)
      )
  ).pipe(Command.withDescription(`Print a ${what}'s per-item results (${statuses}).`))
