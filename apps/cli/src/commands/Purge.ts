/**
 * `azcdn purge --subscription S --endpoint E --url U… --dir D… [--from-file path|-] [--wait]` and
 * `azcdn purge show <purge-id> --subscription S --endpoint E`.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Effect } from "effect"
import { UsageError } from "../CliErrors.js"
import { globalOptions } from "../GlobalOptions.js"
import { endpointOption, subscriptionOption } from "../Ids.js"
import { waitFlag, waitOptions } from "../Waiting.js"
import { required, run, showCommand, urlsFrom } from "./ContentJob.js"

const show = showCommand("purge", "Running, Succeed, Failed", (client, ids, purgeId) =>
  client.getPurge({ ...ids, purgeId })
)

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
