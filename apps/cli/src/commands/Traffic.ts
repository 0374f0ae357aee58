/**
 * `azcdn traffic volume|bandwidth --subscription S --endpoint E [--from T] [--to T] [--granularity G]`: the series
 * as a table with totals (and, on a terminal, a sparkline), TSV or the service's JSON. `azcdn traffic report`: the
 * same over every endpoint, as one HTML file with charts.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { Granularities } from "@org/cdn-core/Traffic"
import { Console, Effect, Option } from "effect"
import { UsageError } from "../CliErrors.js"
import * as Client from "../Client.js"
import * as DurationText from "../DurationText.js"
import { globalOptions } from "../GlobalOptions.js"
import { endpointRefOptions, subscriptionOption } from "../Ids.js"
import { formatFor } from "../Output.js"
import { endpointOf, endpointRef, subscriptionOf } from "../Refs.js"
import { withVerbosity } from "../StderrLogger.js"
import { range, times } from "../TrafficRange.js"
import { bandwidthText, subscriptionVolumeText, volumeText } from "../TrafficText.js"
import { report } from "./TrafficReport.js"

// The sparkline is for a person at a terminal, as wide as the terminal.
const chart = () => ({ on: process.stdout.isTTY === true, width: Math.max(20, (process.stdout.columns ?? 80) - 1) })

const volume = Command.make(
  "volume",
  {
    subscriptionId: subscriptionOption,
    endpointId: Options.text("endpoint").pipe(
      Options.withPseudoName("guid|domain"),
      Options.withDescription(
        "The endpoint's GUID or custom domain; without it, the whole subscription's volume, per domain (a default endpoint does not narrow it)"
      ),
      Options.optional
    ),
    ...range,
    granularity: Options.choice("granularity", Granularities).pipe(
      Options.withDefault("PerHour" as const),
      Options.withDescription("The size of each bucket")
    ),
    timeout: DurationText.callTimeout,
    ...globalOptions
  },
  ({ subscriptionId: givenSubscription, endpointId: given, from, to, granularity, timeout, ...flags }) =>
    Effect.gen(function* () {
      const range = yield* times(from, to)
      const subscriptionId = yield* subscriptionOf(flags, givenSubscription)
      const cdn = yield* CdnClient
      const { on, width } = chart()
      const format = formatFor(flags.output, process.stdout.isTTY === true)
      if (Option.isNone(given)) {
        const result = yield* cdn.getSubscriptionVolume({ subscriptionId, granularity, ...range })
        return yield* Console.log(subscriptionVolumeText(result, format, on, width))
      }
      const result = yield* cdn.getEndpointVolume({
        subscriptionId,
        endpointId: yield* endpointOf(flags, subscriptionId, given),
        granularity,
        ...range
      })
      yield* Console.log(volumeText(result, format, on, width))
    }).pipe(Effect.provide(Client.layer(flags, timeout)), withVerbosity(flags.verbose))
).pipe(Command.withDescription("An endpoint's traffic volume per bucket, with totals."))

const bandwidth = Command.make(
  "bandwidth",
  { ...endpointRefOptions, ...range, timeout: DurationText.callTimeout, ...globalOptions },
  ({ subscriptionId, endpointId, from, to, timeout, ...flags }) =>
    Effect.gen(function* () {
      const range = yield* times(from, to)
      const cdn = yield* CdnClient
      const ids = yield* endpointRef(flags, { subscriptionId, endpointId })
      const result = yield* cdn.getEndpointBandwidth({ ...ids, ...range })
      const { on, width } = chart()
      yield* Console.log(bandwidthText(result, formatFor(flags.output, process.stdout.isTTY === true), on, width))
    }).pipe(Effect.provide(Client.layer(flags, timeout)), withVerbosity(flags.verbose))
).pipe(Command.withDescription("An endpoint's bandwidth per five minutes, with peak and valley."))

export const traffic = Command.make("traffic", {}, () =>
  Effect.fail(new UsageError({ message: "choose a command: azcdn traffic volume|bandwidth" }))
).pipe(
  Command.withDescription("Traffic: volume and bandwidth over a time range, or a report of them as a web page."),
  Command.withSubcommands([volume, bandwidth, report])
)
