/**
 * `azcdn purge --subscription S --endpoint E --url U… --dir D… [--from-file path|-] [--wait]` and
 * `azcdn purge show <purge-id> --subscription S --endpoint E`.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { Console, Effect } from "effect"
import { UsageError } from "../CliErrors.js"
import * as Client from "../Client.js"
import { itemsText } from "../ContentText.js"
import * as DurationText from "../DurationText.js"
import { globalOptions } from "../GlobalOptions.js"
import { endpointOption, endpointRefOptions, subscriptionOption } from "../Ids.js"
import { formatFor } from "../Output.js"
import { withVerbosity } from "../StderrLogger.js"
import { waitFlag, waitOptions } from "../Waiting.js"
import { required, run, urlsFrom } from "./ContentJob.js"

const show = Command.make(
  "show",
  {
    purgeId: Args.text({ name: "purge-id" }).pipe(Args.withDescription("The purge's id (its TaskTrackId)")),
    ...endpointRefOptions,
    timeout: DurationText.callTimeout,
    ...globalOptions
  },
  ({ purgeId, subscriptionId, endpointId, timeout, ...flags }) =>
    Effect.flatMap(CdnClient, (cdn) => cdn.getPurge({ subscriptionId, endpointId, purgeId })).pipe(
      Effect.flatMap((result) =>
        Console.log(itemsText(result, formatFor(flags.output, process.stdout.isTTY === true)))
      ),
      Effect.provide(Client.layer(flags, timeout)),
      withVerbosity(flags.verbose)
    )
).pipe(Command.withDescription("Print a purge's per-item results (Running, Succeed, Failed)."))

export const purge = Command.make(
  "purge",
  {
    subscriptionId: subscriptionOption.pipe(Options.optional),
    endpointId: endpointOption.pipe(Options.optional),
    urls: Options.text("url").pipe(
      Options.withPseudoName("url"),
      Options.withDescription("A file to purge: an absolute http(s) URL; repeat for more"),
      Options.repeated
    ),
    dirs: Options.text("dir").pipe(
      Options.withPseudoName("url"),
      Options.withDescription("A directory to purge, e.g. http://cdn.example.cn/img/; repeat for more"),
      Options.repeated
    ),
    fromFile: Options.text("from-file").pipe(
      Options.withPseudoName("path|-"),
      Options.withDescription(
        "More URLs, one per line (a line ending in / is a directory; # starts a comment); - reads stdin"
      ),
      Options.optional
    ),
    wait: waitFlag,
    ...waitOptions,
    ...globalOptions
  },
  ({ subscriptionId, endpointId, urls, dirs, fromFile, wait, interval, timeout, ...flags }) =>
    Effect.gen(function* () {
      const subscription = yield* required(subscriptionId, "subscription")
      const endpoint = yield* required(endpointId, "endpoint")
      const listed = yield* urlsFrom([], fromFile)
      const files = [...urls, ...listed.filter((url) => !url.endsWith("/"))]
      const directories = [...dirs, ...listed.filter((url) => url.endsWith("/"))]
      if (files.length + directories.length === 0) {
        return yield* new UsageError({ message: "nothing to purge: give --url, --dir or --from-file" })
      }
      const ids = { subscriptionId: subscription, endpointId: endpoint }
      yield* run({
        what: "purge",
        ...ids,
        start: (client) => client.purge({ ...ids, files, directories }),
        results: (client, purgeId) => client.getPurge({ ...ids, purgeId }),
        wait,
        interval,
        timeout,
        flags
      })
    })
).pipe(
  Command.withDescription(
    "Purge files and directories from the CDN's caches. Prints the purge's id; with --wait, follows it and prints each item's result (exit 4 if any Failed)."
  ),
  Command.withSubcommands([show])
)
