/**
 * `azcdn purge [PATH|URL…] [--url U…] [--dir D…] [--from-file path|-] [--subscription S] [--endpoint E] [--wait]` and
 * `azcdn purge show <purge-id>`. A path (`/img/a.png`, `/css/`) is a URL on the endpoint's custom domain.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { calls } from "@org/cdn-core/CdnApi"
import { type CdnClient, checkInput } from "@org/cdn-core/CdnClient"
import { maliciousPart, urlProblem } from "@org/cdn-core/Content"
import { isWildcard, schemeOf } from "@org/cdn-core/Endpoints"
import { bounded, type InvalidInput } from "@org/cdn-core/Errors"
import { Effect, Either } from "effect"
import { UsageError } from "../CliErrors.js"
import { dryRunOption } from "../DryRun.js"
import { globalOptions } from "../GlobalOptions.js"
import { endpointRefOptions } from "../Ids.js"
import * as Stderr from "../Stderr.js"
import { waitFlag, waitOptions } from "../Waiting.js"
import { type Ids, run, showCommand, urlsFrom } from "./ContentJob.js"

const show = showCommand("purge", "Running, Succeed, Failed", (client, ids, purgeId) =>
  client.getPurge({ ...ids, purgeId })
)

const isPath = (target: string) => target.startsWith("/")

// Stands for the endpoint's domain while paths are checked, before anything is sent.
const placeholder = "http://endpoint.invalid"

/**
 * Every target checked as the service would read it, before any request (the lookup of the endpoint's domain
 * included): a path as a path on the domain, a URL as given, the counts against a purge's quota.
 */
const check = (ids: Ids, targets: ReadonlyArray<string>): Effect.Effect<void, UsageError | InvalidInput> =>
  Effect.gen(function* () {
    for (const target of targets) {
      const problem = isPath(target) ? maliciousPart(target) : (urlProblem(target) ?? maliciousPart(target))
      if (problem !== undefined) {
        return yield* new UsageError({
          message: `${isPath(target) ? "the path" : "the URL"} ${JSON.stringify(bounded(target, 200))} ${problem}${isPath(target) || /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? "" : " (or a path starting with /)"}`
        })
      }
    }
    const urls = [...new Set(targets.map((target) => (isPath(target) ? `${placeholder}${target}` : target)))]
    const input = {
      ...ids,
      files: urls.filter((url) => !url.endsWith("/")),
      directories: urls.filter((url) => url.endsWith("/"))
    }
    const checked = checkInput(calls.purge, input)
    if (Either.isLeft(checked)) return yield* checked.left
  })

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

/**
 * Every target as an absolute URL: a path on the endpoint's custom domain (https when it serves https only); one
 * line on stderr when some URLs name another host (they are sent: the service decides).
 */
const absolute = (client: CdnClient, ids: Ids, targets: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    yield* check(ids, targets)
    const endpoint = yield* client.getEndpoint(ids)
    const domain = endpoint.settings.customDomain.toLowerCase()
    const paths = targets.filter(isPath)
    if (paths.length > 0 && isWildcard(domain)) {
      return yield* new UsageError({
        message: `the endpoint serves ${domain}: give full URLs (https://a${domain.slice(1)}/…), not paths`
      })
    }
    const urls = targets.map((target) => (isPath(target) ? `${schemeOf(endpoint)}://${domain}${target}` : target))
    const elsewhere = [
      ...new Set(
        urls.map(hostOf).filter((host): host is string => host !== undefined && host !== domain && !isWildcard(domain))
      )
    ]
    if (elsewhere.length > 0) {
      const count = urls.filter((url) => elsewhere.includes(hostOf(url) ?? "")).length
      yield* Stderr.line(
        `azcdn: warning: ${count} URL${count === 1 ? " is" : "s are"} on ${elsewhere.join(", ")}, not the endpoint's domain ${domain}; sent as given`
      )
    }
    return urls
  })

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
        "More URLs or paths, one per line (a line ending in / is a directory; # starts a comment); - reads stdin"
      ),
      Options.optional
    ),
    wait: waitFlag,
    ...waitOptions,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({ targets, subscriptionId, endpointId, urls, dirs, fromFile, wait, interval, timeout, ...flags }) =>
    Effect.gen(function* () {
      const listed = yield* urlsFrom(targets, fromFile)
      // --url and --dir take absolute URLs; the positional targets and the file's lines may be paths too.
      const absoluteOnly = [...urls, ...dirs.map((dir) => (dir.endsWith("/") ? dir : `${dir}/`))]
      const notUrl = absoluteOnly.find((url) => urlProblem(url) !== undefined)
      if (notUrl !== undefined) {
        return yield* new UsageError({
          message: `--url/--dir take an absolute URL (${urlProblem(notUrl)}); give a path such as /img/a.png without --url`
        })
      }
      const given = [...listed, ...absoluteOnly]
      if (given.length === 0) {
        return yield* new UsageError({ message: "nothing to purge: give paths, URLs (--url, --dir) or --from-file" })
      }
      yield* run({
        what: "purge",
        given: { subscriptionId, endpointId },
        start: (client, ids) =>
          Effect.flatMap(absolute(client, ids, given), (all) => {
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
