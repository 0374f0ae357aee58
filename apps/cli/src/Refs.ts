/**
 * The subscription and endpoint a command works on: from its flag, else `AZURE_CDN_SUBSCRIPTION_ID` /
 * `AZURE_CDN_ENDPOINT_ID`, else the profile; the endpoint by its GUID or by its custom domain (found with the list
 * call).
 */
import { CdnClient, parseOperationRef } from "@org/cdn-core/CdnClient"
import { type Endpoint, isHostName, servingHost } from "@org/cdn-core/Endpoints"
import { bounded, type CdnError } from "@org/cdn-core/Errors"
import { isGuid } from "@org/cdn-core/Ids"
import { Effect, Option } from "effect"
import { UnknownDomain, UsageError } from "./CliErrors.js"
import type { GlobalFlags } from "./GlobalOptions.js"
import { refSetting, refVariables } from "./Settings.js"

const missing = (which: "subscription" | "endpoint") =>
  new UsageError({
    message: `--${which} is required: pass it, set ${refVariables[which]}, or keep one in the profile (azcdn configure --${which} …)`
  })

/** The subscription's GUID (checked by the core when the call is built). */
export const subscriptionOf = (flags: GlobalFlags, given: Option.Option<string>): Effect.Effect<string, UsageError> =>
  Effect.flatMap(refSetting(flags, "subscription", given), (value) =>
    Option.match(value, { onNone: () => Effect.fail(missing("subscription")), onSome: Effect.succeed })
  )

/** An endpoint given by its custom domain: found among the subscription's endpoints, or exit 3 naming them. */
export const endpointByDomain = (
  subscriptionId: string,
  domain: string
): Effect.Effect<Endpoint, CdnError | UnknownDomain, CdnClient> =>
  Effect.gen(function* () {
    const endpoints = yield* (yield* CdnClient).listEndpoints({ subscriptionId })
    const found = servingHost(endpoints, domain)
    if (found !== undefined) return found
    const known = endpoints.map((endpoint) => endpoint.settings.customDomain).sort()
    return yield* new UnknownDomain({
      message: `no endpoint of subscription ${subscriptionId} serves ${bounded(domain, 253)}${known.length === 0 ? " (it has no endpoints)" : ` (its domains: ${known.join(", ")})`}`
    })
  })

/** The endpoint's GUID: given as one, or found by its custom domain. */
export const endpointOf = (
  flags: GlobalFlags,
  subscriptionId: string,
  given: Option.Option<string>
): Effect.Effect<string, UsageError | UnknownDomain | CdnError, CdnClient> =>
  Effect.gen(function* () {
    const value = yield* refSetting(flags, "endpoint", given)
    if (Option.isNone(value)) return yield* missing("endpoint")
    const text = value.value.trim()
    if (isGuid(text)) return text
    if (isHostName(text)) return (yield* endpointByDomain(subscriptionId, text)).endpointId
    return yield* new UsageError({
      message: `--endpoint: must be the endpoint's GUID or its custom domain (cdn.example.cn), got ${JSON.stringify(bounded(text, 80))}`
    })
  })

/** Both, as the calls take them. */
export const endpointRef = (
  flags: GlobalFlags,
  given: { readonly subscriptionId: Option.Option<string>; readonly endpointId: Option.Option<string> }
): Effect.Effect<
  { readonly subscriptionId: string; readonly endpointId: string },
  UsageError | UnknownDomain | CdnError,
  CdnClient
> =>
  Effect.gen(function* () {
    const subscriptionId = yield* subscriptionOf(flags, given.subscriptionId)
    const endpointId = yield* endpointOf(flags, subscriptionId, given.endpointId)
    return { subscriptionId, endpointId }
  })

interface GivenOperation {
  readonly operationId: string
  readonly subscriptionId: Option.Option<string>
  readonly endpointId: Option.Option<string>
}

/** Stands for an endpoint not yet looked up (given by its domain) while everything else is checked. */
export const anyEndpoint = "00000000-0000-4000-8000-000000000000"

/**
 * The IDs of an operation checked before the client is built: a bad one is named before missing credentials, since
 * it is what the user just typed.
 */
export const checkOperationRef = (flags: GlobalFlags, given: GivenOperation) =>
  Effect.gen(function* () {
    const subscriptionId = yield* subscriptionOf(flags, given.subscriptionId)
    const endpoint = yield* refSetting(flags, "endpoint", given.endpointId)
    const endpointId = Option.match(endpoint, {
      onNone: () => anyEndpoint,
      onSome: (text) => (isHostName(text.trim()) ? anyEndpoint : text)
    })
    yield* parseOperationRef({ subscriptionId, endpointId, operationId: given.operationId })
  })

/** An operation's reference, every GUID checked (a bad one is `InvalidInput`: exit 2, nothing sent). */
export const operationRef = (flags: GlobalFlags, given: GivenOperation) =>
  Effect.flatMap(endpointRef(flags, given), (ids) => parseOperationRef({ ...ids, operationId: given.operationId }))
