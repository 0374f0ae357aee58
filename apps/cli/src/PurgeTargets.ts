/**
 * What a purge's targets are: a path on the endpoint's custom domain (`/img/a.png`, `/css/`) or a full URL. Each is
 * checked before anything is sent, then made absolute with the endpoint's domain.
 */
import { calls } from "@org/cdn-core/CdnApi"
import { type CdnClient, checkInput } from "@org/cdn-core/CdnClient"
import { maliciousPart, urlProblem } from "@org/cdn-core/Content"
import { isWildcard, schemeOf } from "@org/cdn-core/Endpoints"
import { bounded, type InvalidInput } from "@org/cdn-core/Errors"
import { Effect, Either } from "effect"
import { UsageError } from "./CliErrors.js"
import * as Stderr from "./Stderr.js"

/** The endpoint a purge works on, by its GUIDs. */
export interface Ids {
  readonly subscriptionId: string
  readonly endpointId: string
}

export const isPath = (target: string): boolean => target.startsWith("/")

// Stands for the endpoint's domain while paths are checked, before anything is sent.
const placeholder = "http://endpoint.invalid"

/**
 * Every target checked as the service would read it, before any request (the lookup of the endpoint's domain
 * included): a path as a path on the domain, a URL as given, the counts against a purge's quota.
 */
/** Why a target can never be sent, as a person reads it; undefined when it may be. */
export const targetProblem = (target: string): string | undefined => {
  const problem = isPath(target) ? maliciousPart(target) : (urlProblem(target) ?? maliciousPart(target))
  if (problem === undefined) return undefined
  return `${isPath(target) ? "the path" : "the URL"} ${JSON.stringify(bounded(target, 200))} ${problem}${isPath(target) || /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? "" : " (or a path starting with /)"}`
}

export const check = (
  ids: Ids,
  targets: ReadonlyArray<string>,
  limits: "one request" | "any number" = "one request"
): Effect.Effect<void, UsageError | InvalidInput> =>
  Effect.gen(function* () {
    for (const target of targets) {
      const problem = targetProblem(target)
      if (problem !== undefined) return yield* new UsageError({ message: problem })
    }
    // A batch is split into requests that each fit.
    if (limits === "any number") return
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
export const absolute = (
  client: CdnClient,
  ids: Ids,
  targets: ReadonlyArray<string>,
  limits: "one request" | "any number" = "one request"
) =>
  Effect.gen(function* () {
    yield* check(ids, targets, limits)
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
