/**
 * What an inbound request asks for, decided before anything else happens: a call of the API (`CdnApi`), one of the
 * proxy's own routes, or a refusal with the status and the service-shaped error that says why. Pure and synchronous,
 * so it is cheap and easy to test.
 */
import { CdnApi, Ids } from "@org/cdn-core"
import { Either } from "effect"

/** A call of the API, its IDs checked and lower-cased. */
export interface Call {
  readonly _tag: "Call"
  readonly name: CdnApi.CallName
  readonly call: CdnApi.AnyCall
  /** The path's IDs, lower case: `subscriptionId`, and `endpointId`, `operationId`, … where the path has them. */
  readonly params: Readonly<Record<string, string>>
  /** The query as sent, without its `?`. */
  readonly rawQuery: string
  /** A read's input, read from the path and query with the call's own schemas; undefined for a write (its body is read later). */
  readonly input: unknown
  readonly subscriptionId: string
  readonly endpointId: string | undefined
  /** The path and query as the proxy forwards them: the key of a kept answer. */
  readonly key: string
}

/** A route the proxy serves. */
export type Route = Call | { readonly _tag: "Health" } | { readonly _tag: "Ready" } | { readonly _tag: "Metrics" }

/** A request refused before auth or upstream: the status, the service's error type and a message. */
export interface Refused {
  readonly _tag: "Refused"
  readonly status: number
  readonly type: "ParameterInvalid" | "ParameterMissing" | "MaliciousItemPathDetected"
  readonly message: string
  /** Set on 405. */
  readonly allow?: string
  /** Set on 405: the route that exists, for logs and metrics. */
  readonly route?: RouteName
}

/** The name a route has in logs and metrics: `operation` for get-operation, the call's name for the others. */
export type RouteName =
  | "operation"
  | Exclude<CdnApi.CallName, "getOperation">
  | "healthz"
  | "readyz"
  | "metrics"
  | "other"

export const routeName = (route: Route | Refused): RouteName => {
  switch (route._tag) {
    case "Call":
      return route.name === "getOperation" ? "operation" : route.name
    case "Health":
      return "healthz"
    case "Ready":
      return "readyz"
    case "Metrics":
      return "metrics"
    case "Refused":
      return route.route ?? "other"
  }
}

export interface Limits {
  /** Longest request target (path and query) let in; longer answers 414. */
  readonly maxUrlLength: number
}

const refused = (status: number, message: string, type: Refused["type"] = "ParameterInvalid"): Refused => ({
  _tag: "Refused",
  status,
  type,
  message
})

// Only these may appear in a path at all: no percent-encoding, no backslash, nothing a decoder could turn into `/` or `.`.
const plainPath = /^\/[A-Za-z0-9\-._~/]*$/

const firstValues = (query: string): Record<string, string> => {
  // The usual call carries `apiVersion=1.0` alone.
  if (query === "apiVersion=1.0") return { apiVersion: "1.0" }
  const out: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(query)) if (!(name in out)) out[name] = value
  return out
}

/** Classifies a request from its method, raw target and whether it carries a body. */
export const classify = (method: string, target: string, hasBody: boolean, limits: Limits): Route | Refused => {
  if (target.length > limits.maxUrlLength) {
    return refused(414, `The request URL is longer than ${limits.maxUrlLength} characters.`)
  }
  const q = target.indexOf("?")
  const path = q < 0 ? target : target.slice(0, q)
  const query = q < 0 ? "" : target.slice(q + 1)
  if (!plainPath.test(path)) {
    return refused(400, "The path may hold only letters, digits and - . _ ~ /: no encoded or special characters.")
  }
  if (path.includes("//") || /\/\.\.?(\/|$)/.test(path)) {
    return refused(400, "The path may not hold empty, '.' or '..' segments.")
  }
  switch (path) {
    case "/healthz":
      return method === "GET" ? { _tag: "Health" } : notAllowed(method, "GET", "healthz")
    case "/readyz":
      return method === "GET" ? { _tag: "Ready" } : notAllowed(method, "GET", "readyz")
    case "/metrics":
      return method === "GET" ? { _tag: "Metrics" } : notAllowed(method, "GET", "metrics")
  }
  const found = CdnApi.match(method, path)
  if (found === undefined) return refused(404, `No API at ${path}.`)
  if (found === "method") {
    const allow = [...new Set(CdnApi.methodsAt(path))].join(", ")
    const route = CdnApi.match(CdnApi.methodsAt(path)[0] ?? "GET", path)
    const name =
      route === undefined || route === "method" ? "other" : routeName({ ...callOf(route, "", path), _tag: "Call" })
    return notAllowed(method, allow, name)
  }
  const params: Record<string, string> = {}
  for (const [param, value] of Object.entries(found.params)) {
    if (!Ids.isGuid(value)) return refused(400, `${param} must be a GUID such as 5dd0413d-a2f9-442a-b836-128d87753fa9.`)
    params[param] = value.toLowerCase()
  }
  const parsed = firstValues(query)
  const version = parsed.apiVersion
  if (version === undefined) return refused(400, "Query parameter apiVersion is missing.", "ParameterMissing")
  if (version !== "1.0") return refused(400, "Query parameter apiVersion must be 1.0.")
  // A call with a payload needs one; the others may not carry one.
  if (found.call.payload === undefined && hasBody) return refused(400, `A ${method} request here may not carry a body.`)
  if (found.call.payload !== undefined && !hasBody)
    return refused(400, "The request body is missing.", "ParameterMissing")
  const key = `${path.toLowerCase()}${q < 0 ? "" : `?${query}`}`
  if (found.call.payload !== undefined) return callOf(found, query, key, params, undefined)
  // A read is whole without a body: its input is read now, strictly, and a request it cannot read is refused here.
  const input = CdnApi.readRequest(found.call, { params, query, body: undefined })
  if (Either.isLeft(input)) return refused(400, input.left.message, input.left.type)
  return callOf(found, query, key, params, input.right)
}

const callOf = (
  found: CdnApi.Match,
  rawQuery: string,
  key: string,
  params: Record<string, string> = {},
  input: unknown = undefined
): Call => ({
  _tag: "Call",
  name: found.name,
  call: found.call,
  params,
  rawQuery,
  input,
  subscriptionId: params.subscriptionId ?? "",
  endpointId: params.endpointId,
  key
})

const notAllowed = (method: string, allow: string, route: RouteName): Refused => ({
  ...refused(405, `Method ${method} is not allowed here; use ${allow}.`),
  allow,
  route
})
