/**
 * `azcdn traffic report --subscription S [--endpoint E …] [--from 7d] [--to now] [--granularity PerHour]
 * [--time-zone Z] --out report.html`: every endpoint's volume and bandwidth as one self-contained web page.
 */
import { constants } from "node:fs"
import { access, rename, rm, stat, writeFile } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Granularities } from "@org/cdn-core/Traffic"
import { gather, inZone, isTimeZone, localTimeZone, summarize } from "@org/cdn-core/TrafficReport"
import { version as coreVersion } from "@org/cdn-core/Version"
import { Clock, Effect, Option } from "effect"
import { NothingFound, UsageError, WriteFailed } from "../CliErrors.js"
import * as Client from "../Client.js"
import * as DurationText from "../DurationText.js"
import { globalOptions } from "../GlobalOptions.js"
import { subscriptionOption } from "../Ids.js"
import { endpointOf, subscriptionOf } from "../Refs.js"
import { reportHtml } from "../report/Html.js"
import * as Stderr from "../Stderr.js"
import { withVerbosity } from "../StderrLogger.js"
import { rangeOptions, times } from "../TrafficRange.js"
import { humanSize } from "../Units.js"
import { version } from "../Version.js"

const options = {
  subscriptionId: subscriptionOption,
  endpointIds: Options.text("endpoint").pipe(
    Options.withPseudoName("guid|domain"),
    Options.withDescription(
      "An endpoint's GUID or custom domain; repeat it for more; without it, every endpoint of the subscription"
    ),
    Options.repeated
  ),
  ...rangeOptions("7d"),
  granularity: Options.choice("granularity", Granularities).pipe(
    Options.withDefault("PerHour" as const),
    Options.withDescription("The volume's bucket; bandwidth is always per five minutes")
  ),
  timeZone: Options.text("time-zone").pipe(
    Options.withPseudoName("zone"),
    Options.withDescription(
      "The zone of the report's days and times, such as Asia/Shanghai or UTC [default: this machine's]"
    ),
    Options.optional
  ),
  out: Options.text("out").pipe(
    Options.withPseudoName("path|-"),
    Options.withDescription("The HTML file to write (replaced whole, only once every series arrived), or - for stdout")
  ),
  timeout: DurationText.callTimeout,
  ...globalOptions
}

// Before anything is sent: the folder the report goes to exists and takes a new file.
const writable = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      const folder = dirname(resolve(path))
      if (!(await stat(folder)).isDirectory()) throw new Error("not a folder")
      await access(folder, constants.W_OK)
    },
    catch: (error) =>
      new UsageError({
        message: `--out ${path}: cannot write in ${dirname(path)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
      })
  })

// Written beside the target, then renamed over it: a reader never sees half a report.
const writeWhole = (path: string, text: string) =>
  Effect.tryPromise({
    try: async () => {
      const temporary = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`)
      try {
        await writeFile(temporary, text)
        await rename(temporary, path)
      } catch (error) {
        await rm(temporary, { force: true })
        throw error
      }
    },
    catch: (error) =>
      new WriteFailed({
        message: `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
      })
  })

export const report = Command.make(
  "report",
  options,
  ({ subscriptionId: given, endpointIds, from, to, granularity, timeZone, out, timeout, ...flags }) =>
    Effect.gen(function* () {
      const range = yield* times(from, to)
      const subscriptionId = yield* subscriptionOf(flags, given)
      const zone = timeZone._tag === "Some" ? timeZone.value : localTimeZone()
      if (!isTimeZone(zone)) {
        return yield* new UsageError({
          message: `--time-zone: no time zone is named ${JSON.stringify(zone)}; try Asia/Shanghai or UTC`
        })
      }
      if (out !== "-") yield* writable(out)
      // Endpoints named by domain are found first; none named is every endpoint (a default endpoint does not narrow it).
      const named = yield* Effect.forEach(endpointIds, (endpoint) =>
        endpointOf(flags, subscriptionId, Option.some(endpoint))
      )
      const traffic = yield* gather({ subscriptionId, endpointIds: named, granularity, ...range })
      if (traffic.length === 0) {
        return yield* new NothingFound({
          message: `the subscription ${subscriptionId} has no endpoints: nothing to report`
        })
      }
      const summary = summarize(traffic, zone)
      const html = reportHtml(summary, {
        subscriptionId,
        ...range,
        granularity,
        generatedAt: new Date(yield* Clock.currentTimeMillis),
        generator: `azcdn ${version} (cdn-core ${coreVersion})`
      })
      if (summary.unreadable > 0) {
        yield* Stderr.line(
          `warning: ${summary.unreadable} bucket(s) had a timestamp that could not be read; they are left out of the charts and the per-day table`
        )
      }
      if (out === "-") return yield* Effect.sync(() => process.stdout.write(html))
      yield* writeWhole(out, html)
      const { minute } = inZone(zone)
      yield* Stderr.line(
        `wrote ${out} (${humanSize(Buffer.byteLength(html) / 1048576)}): ${traffic.length} endpoint${traffic.length === 1 ? "" : "s"}, ${minute(range.startTime.getTime())} to ${minute(range.endTime.getTime())} ${zone}`
      )
    }).pipe(Effect.provide(Client.layer(flags, timeout)), withVerbosity(flags.verbose))
).pipe(
  Command.withDescription(
    "Every endpoint's volume and bandwidth as one HTML file that opens offline: charts, the total volume, the peak bandwidth and when, a row per day."
  )
)
