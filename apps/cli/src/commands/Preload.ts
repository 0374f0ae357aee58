/**
 * `azcdn preload --subscription S --endpoint E --url U… [--from-file path|-] [--wait]` and
 * `azcdn preload show <preload-id> --subscription S --endpoint E`.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Effect } from "effect"
import { UsageError } from "../CliErrors.js"
import { dryRunOption } from "../DryRun.js"
import { globalOptions } from "../GlobalOptions.js"
import { endpointRefOptions } from "../Ids.js"
import { waitFlag, waitOptions } from "../Waiting.js"
import { run, showCommand, urlsFrom } from "./ContentJob.js"

const show = showCommand("preload", "Waiting, Running, Succeed, Failed", (client, ids, preloadId) =>
  client.getPreload({ ...ids, preloadId })
)

export const preload = Command.make(
  "preload",
  {
    ...endpointRefOptions,
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
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({ subscriptionId, endpointId, urls, fromFile, wait, interval, timeout, ...flags }) =>
    Effect.gen(function* () {
      const files = yield* urlsFrom(urls, fromFile)
      if (files.length === 0) return yield* new UsageError({ message: "nothing to preload: give --url or --from-file" })
      yield* run({
        what: "preload",
        given: { subscriptionId, endpointId },
        start: (client, ids) => client.preload({ ...ids, files }),
        results: (client, ids, preloadId) => client.getPreload({ ...ids, preloadId }),
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
