/**
 * `azcdn endpoint list|show|create|update|delete|enable|disable`: the endpoints of a subscription. The changes answer
 * with an operation; `--wait` follows it to its end.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Prompt from "@effect/cli/Prompt"
import type { Terminal } from "@effect/platform/Terminal"
import type { AsyncResult } from "@org/cdn-core/AsyncResult"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { ServiceTypes } from "@org/cdn-core/Endpoints"
import type { CdnError } from "@org/cdn-core/Errors"
import { Console, type Duration, Effect, Option } from "effect"
import { OperationFailed, UsageError } from "../CliErrors.js"
import * as Client from "../Client.js"
import { acceptedText } from "../ContentText.js"
import { dryRunOption } from "../DryRun.js"
import * as DurationText from "../DurationText.js"
import { endpointsText, endpointText } from "../EndpointText.js"
import { type GlobalFlags, globalOptions } from "../GlobalOptions.js"
import { endpointRefOptions, subscriptionOption } from "../Ids.js"
import { formatFor, operationText } from "../Output.js"
import { endpointRef, subscriptionOf } from "../Refs.js"
import * as Stderr from "../Stderr.js"
import { withVerbosity } from "../StderrLogger.js"
import { endedAs, started, waitFlag, waitOptions } from "../Waiting.js"

const formatOf = (flags: GlobalFlags) => formatFor(flags.output, process.stdout.isTTY === true)

const list = Command.make(
  "list",
  { subscriptionId: subscriptionOption, timeout: DurationText.callTimeout, ...globalOptions },
  ({ subscriptionId: given, timeout, ...flags }) =>
    Effect.flatMap(Effect.zip(CdnClient, subscriptionOf(flags, given)), ([cdn, subscriptionId]) =>
      cdn.listEndpoints({ subscriptionId })
    ).pipe(
      Effect.flatMap((endpoints) => Console.log(endpointsText(endpoints, formatOf(flags)))),
      Effect.provide(Client.layer(flags, timeout)),
      withVerbosity(flags.verbose)
    )
).pipe(Command.withDescription("List the endpoints of a subscription."))

const show = Command.make(
  "show",
  { ...endpointRefOptions, timeout: DurationText.callTimeout, ...globalOptions },
  ({ subscriptionId, endpointId, timeout, ...flags }) =>
    Effect.flatMap(Effect.zip(CdnClient, endpointRef(flags, { subscriptionId, endpointId })), ([cdn, ids]) =>
      cdn.getEndpoint(ids)
    ).pipe(
      Effect.flatMap((endpoint) => Console.log(endpointText(endpoint, formatOf(flags)))),
      Effect.provide(Client.layer(flags, timeout)),
      withVerbosity(flags.verbose)
    )
).pipe(Command.withDescription("Print an endpoint: its settings and status."))

const originOption = Options.text("origin").pipe(
  Options.withPseudoName("host"),
  Options.withDescription("An origin address (host name or IPv4); repeat for more"),
  Options.repeated
)
const hostOption = Options.text("host").pipe(
  Options.withPseudoName("host"),
  Options.withDescription("The host header sent to the origin"),
  Options.optional
)

const create = Command.make(
  "create",
  {
    subscriptionId: subscriptionOption,
    domain: Options.text("domain").pipe(Options.withDescription("The custom domain to serve, e.g. cdn.example.cn")),
    origins: originOption,
    host: hostOption,
    icp: Options.text("icp").pipe(Options.withDescription("The domain's ICP filing number")),
    serviceType: Options.choice("service-type", ServiceTypes).pipe(
      Options.withDefault("Web" as const),
      Options.withDescription("What the endpoint serves")
    ),
    timeout: DurationText.callTimeout,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({ subscriptionId: given, domain, origins, host, icp, serviceType, timeout, ...flags }) =>
    Effect.flatMap(Effect.zip(CdnClient, subscriptionOf(flags, given)), ([cdn, subscriptionId]) =>
      cdn.createEndpoint({
        subscriptionId,
        customDomain: domain,
        originAddresses: origins,
        icp,
        serviceType,
        ...Option.match(host, { onNone: () => ({}), onSome: (h) => ({ host: h }) })
      })
    ).pipe(
      Effect.flatMap((endpoint) =>
        Effect.zipRight(
          Console.log(endpointText(endpoint, formatOf(flags))),
          Stderr.line(
            `azcdn: endpoint ${endpoint.endpointId} is ${endpoint.status.lifetimeStatus}: the ICP filing is reviewed (up to a business day); then point a CNAME at ${endpoint.settings.cname ?? "<domain>.mschcdn.com"}`
          )
        )
      ),
      Effect.provide(Client.layer(flags, timeout)),
      withVerbosity(flags.verbose)
    )
).pipe(Command.withDescription("Create an endpoint; it starts Creating while its ICP filing is reviewed."))

type Ids = { readonly subscriptionId: string; readonly endpointId: string }

/**
 * Resolves the endpoint, then starts the change and prints it; with `--wait`, follows its operation and prints it
 * (exit 4 unless it Succeeded).
 */
const follow = <E = never, R = never>(
  what: string,
  given: { readonly subscriptionId: Option.Option<string>; readonly endpointId: Option.Option<string> },
  start: (cdn: CdnClient, ids: Ids) => Effect.Effect<AsyncResult, CdnError>,
  options: { readonly wait: boolean; readonly interval: Duration.Duration; readonly timeout: Duration.Duration },
  flags: GlobalFlags,
  first: (ids: Ids) => Effect.Effect<void, E, R> = () => Effect.void as Effect.Effect<void, E, R>
) =>
  Effect.gen(function* () {
    const cdn = yield* CdnClient
    const ids = yield* endpointRef(flags, given)
    yield* first(ids)
    const { accepted, followed } = yield* started(what, ids, start(cdn, ids), options)
    const id = accepted.taskTrackId
    if (followed === undefined || id === undefined) return yield* Console.log(acceptedText(accepted, formatOf(flags)))
    const { operation } = followed
    yield* Console.log(operationText(operation, formatOf(flags)))
    if (operation.status !== "Succeeded") {
      return yield* new OperationFailed({ operationId: id, message: `${what} ${id} ended ${endedAs(followed)}` })
    }
  }).pipe(Effect.provide(Client.layer(flags)), withVerbosity(flags.verbose))

const update = Command.make(
  "update",
  {
    ...endpointRefOptions,
    origins: originOption,
    host: hostOption,
    wait: waitFlag,
    ...waitOptions,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({ subscriptionId, endpointId, origins, host, wait, interval, timeout, ...flags }) =>
    follow(
      "update",
      { subscriptionId, endpointId },
      (cdn, ids) =>
        cdn.updateEndpoint({
          ...ids,
          ...(origins.length === 0 ? {} : { originAddresses: origins }),
          ...Option.match(host, { onNone: () => ({}), onSome: (h) => ({ host: h }) })
        }),
      { wait, interval, timeout },
      flags
    )
).pipe(Command.withDescription("Change an endpoint's origin addresses (--origin) and/or host header (--host)."))

/** `enable`, `disable`: a change with no settings. */
const toggle = (name: "enable" | "disable", description: string) =>
  Command.make(
    name,
    { ...endpointRefOptions, wait: waitFlag, ...waitOptions, dryRun: dryRunOption, ...globalOptions },
    ({ subscriptionId, endpointId, wait, interval, timeout, ...flags }) =>
      follow(
        name,
        { subscriptionId, endpointId },
        (cdn, ids) => (name === "enable" ? cdn.enableEndpoint : cdn.disableEndpoint)(ids),
        { wait, interval, timeout },
        flags
      )
  ).pipe(Command.withDescription(description))

// On a terminal the user confirms; elsewhere --yes says it, since nobody can answer.
const confirmDelete = (endpointId: string, yes: boolean): Effect.Effect<void, UsageError, Terminal> => {
  if (yes) return Effect.void
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
    return Effect.fail(
      new UsageError({ message: "delete asks for confirmation on a terminal: pass --yes to delete without one" })
    )
  }
  return Prompt.confirm({ message: `Delete endpoint ${endpointId}? This cannot be undone`, initial: false }).pipe(
    Effect.orElseSucceed(() => false),
    Effect.flatMap((sure) => (sure ? Effect.void : Effect.fail(new UsageError({ message: "not deleted" }))))
  )
}

const remove = Command.make(
  "delete",
  {
    ...endpointRefOptions,
    yes: Options.boolean("yes").pipe(Options.withDescription("Delete without asking")),
    wait: waitFlag,
    ...waitOptions,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({ subscriptionId, endpointId, yes, wait, interval, timeout, ...flags }) =>
    follow(
      "delete",
      { subscriptionId, endpointId },
      (cdn, ids) => cdn.deleteEndpoint(ids),
      { wait, interval, timeout },
      flags,
      // Asked once the endpoint is known by its GUID, before anything is changed.
      (ids) => confirmDelete(ids.endpointId, yes || flags.dryRun)
    )
).pipe(Command.withDescription("Delete an endpoint; asks first on a terminal unless --yes."))

export const endpoint = Command.make("endpoint", {}, () =>
  Effect.fail(
    new UsageError({ message: "choose a command: azcdn endpoint list|show|create|update|delete|enable|disable" })
  )
).pipe(
  Command.withDescription("The endpoints of a subscription."),
  Command.withSubcommands([
    list,
    show,
    create,
    update,
    remove,
    toggle("enable", "Enable an endpoint: it serves again."),
    toggle("disable", "Disable an endpoint: it stops serving.")
  ])
)
