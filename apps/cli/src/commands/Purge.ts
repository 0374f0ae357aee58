/**
 * `azcdn purge [PATH|URL…] [--url U…] [--dir D…] [--subscription S] [--endpoint E] [--wait]`, the batch form
 * `azcdn purge --from-file FILE [--state FILE] [--daily-quota files=N,dirs=M] [--wait]` (see `PurgeBatch`), and
 * `azcdn purge show <purge-id>`. A path (`/img/a.png`, `/css/`) is a URL on the endpoint's custom domain.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { urlProblem } from "@org/cdn-core/Content"
import { Effect, Option } from "effect"
import { UsageError } from "../CliErrors.js"
import { dryRunOption } from "../DryRun.js"
import { globalOptions } from "../GlobalOptions.js"
import { endpointRefOptions } from "../Ids.js"
import { absolute } from "../PurgeTargets.js"
import { waitFlag, waitOptions } from "../Waiting.js"
import { run, showCommand } from "./ContentJob.js"
import { runBatch } from "./PurgeBatch.js"

const show = showCommand("purge", "Running, Succeed, Failed", (client, ids, purgeId) =>
  client.getPurge({ ...ids, purgeId })
)

export const purge = Command.make(
  "purge",
  {
    targets: Args.text({ name: "path|url" }).pipe(
      Args.withDescription(
        "A path on the endpoint's domain (/img/a.png; ending in / for a directory) or a full URL; as many as needed"
      ),
      Args.repeated
    ),
    ...endpointRefOptions,
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
        "Any number of URLs or paths, one per line (a line ending in / is a directory; # starts a comment); - reads stdin. Sent in requests of at most 2,000 files and 500 directories, within the daily quota, with a report of every URL"
      ),
      Options.optional
    ),
    state: Options.text("state").pipe(
      Options.withPseudoName("path"),
      Options.withDescription(
        "Keep what the service accepted in this file: a rerun with it never sends a URL twice, even after a kill"
      ),
      Options.optional
    ),
    dailyQuota: Options.text("daily-quota").pipe(
      Options.withPseudoName("files=N,dirs=M"),
      Options.withDescription(
        "The subscription's daily purge quota, when raised [default files=2000,dirs=500]; counted per UTC day under the XDG state folder; exit 6 when it is used"
      ),
      Options.optional
    ),
    wait: waitFlag,
    ...waitOptions,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({
    targets,
    subscriptionId,
    endpointId,
    urls,
    dirs,
    fromFile,
    state,
    dailyQuota,
    wait,
    interval,
    timeout,
    ...flags
  }) =>
    Effect.gen(function* () {
      // --url and --dir take absolute URLs; the positional targets and the file's lines may be paths too.
      const absoluteOnly = [...urls, ...dirs.map((dir) => (dir.endsWith("/") ? dir : `${dir}/`))]
      const notUrl = absoluteOnly.find((url) => urlProblem(url) !== undefined)
      if (notUrl !== undefined) {
        return yield* new UsageError({
          message: `--url/--dir take an absolute URL (${urlProblem(notUrl)}); give a path such as /img/a.png without --url`
        })
      }
      const allTargets = [...targets, ...absoluteOnly]
      // A file, a state or a quota: the batch planner, for any number of URLs.
      if (Option.isSome(fromFile) || Option.isSome(state) || Option.isSome(dailyQuota)) {
        return yield* runBatch({
          given: { subscriptionId, endpointId },
          targets: allTargets,
          fromFile,
          state,
          dailyQuota,
          wait,
          interval,
          timeout,
          flags
        })
      }
      if (allTargets.length === 0) {
        return yield* new UsageError({ message: "nothing to purge: give paths, URLs (--url, --dir) or --from-file" })
      }
      yield* run({
        what: "purge",
        given: { subscriptionId, endpointId },
        start: (client, ids) =>
          Effect.flatMap(absolute(client, ids, allTargets), (all) => {
            const unique = [...new Set(all)]
            return client.purge({
              ...ids,
              files: unique.filter((url) => !url.endsWith("/")),
              directories: unique.filter((url) => url.endsWith("/"))
            })
          }),
        results: (client, ids, purgeId) => client.getPurge({ ...ids, purgeId }),
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
