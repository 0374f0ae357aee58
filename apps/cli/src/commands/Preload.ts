/**
 * `azcdn preload --subscription S --endpoint E --url U… [--from-file path|-] [--wait]` and
 * `azcdn preload show <preload-id> --subscription S --endpoint E`.
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
    preloadId: Args.text({ name: "preload-id" }).pipe(Args.withDescription("The preload's id (its TaskTrackId)")),
    ...endpointRefOptions,
    timeout: DurationText.callTimeout,
    ...globalOptions
  },
  ({ preloadId, subscriptionId, endpointId, timeout, ...flags }) =>
    Effect.flatMap(CdnClient, (cdn) => cdn.getPreload({ subscriptionId, endpointId, preloadId })).pipe(
      Effect.flatMap((result) =>
        Console.log(itemsText(result, formatFor(flags.output, process.stdout.isTTY === true)))
      ),
      Effect.provide(Client.layer(flags, timeout)),
      withVerbosity(flags.verbose)
    )
).pipe(Command.withDescription("Print a preload's per-item results (Waiting, Running, Succeed, Failed)."))

export const preload = Command.make(
  "preload",
  {
    subscriptionId: subscriptionOption.pipe(Options.optional),
    endpointId: endpointOption.pipe(Options.optional),
    urls: Options.text("url").pipe(
      Options.withPseudoName("url"),
      Options.withDescription(
        "A file to preload: an absolute http(s) URL that answers 200 at the origin; repeat for more"
      ),
      Options.repeated
    ),
    fromFile: Options.text("from-file").pipe(
      Options.withPseudoName("path|-"),
      Options.withDescription("More URLs, one per line (# starts a comment); - reads stdin"),
      Options.optional
    ),
    wait: waitFlag,
    ...waitOptions,
    ...globalOptions
  },
  ({ subscriptionId, endpointId, urls, fromFile, wait, interval, timeout, ...flags }) =>
    Effect.gen(function* () {
      const subscription = yield* required(subscriptionId, "subscription")
      const endpoint = yield* required(endpointId, "endpoint")
      const files = yield* urlsFrom(urls, fromFile)
      if (files.length === 0) return yield* new UsageError({ message: "nothing to preload: give --url or --from-file" })
      const ids = { subscriptionId: subscription, endpointId: endpoint }
      yield* run({
        what: "preload",
        ...ids,
        start: (client) => client.preload({ ...ids, files }),
        results: (client, preloadId) => client.getPreload({ ...ids, preloadId }),
        wait,
        interval,
        timeout,
        flags
      })
    })
).pipe(
  Command.withDescription(
    "Preload files into the CDN's caches. Prints the preload's id; with --wait, follows it and prints each item's result (exit 4 if any Failed)."
  ),
  Command.withSubcommands([show])
)
