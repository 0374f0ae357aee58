/**
 * What an inbound request asks for, decided before anything else happens: one of the proxy's routes, or a refusal
 * with the status and the service-shaped error that says why. Pure and synchronous, so it is cheap and easy to test.
 */

/** A route the proxy serves. */
export type Route =
  | {
      readonly _tag: "Operation"
      readonly subscriptionId: string
      readonly endpointId: string
      readonly operationId: string
    }
  | { readonly _tag: "Health" }
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Metrics" }

/** A request refused before auth or upstream: the status, the service's error type and a message. */
export interface Refused {
  readonly _tag: "Refused"
  readonly status: number
  readonly type: "ParameterInvalid" | "ParameterMissing"
  readonly message: string
  /** Set on 405. */
  readonly allow?: string
  /** Set on 405: the route that exists, for logs and metrics. */
  readonly route?: RouteName
}

/** The name a route has in logs and metrics. */
export type RouteName = "operation" | "healthz" | "readyz" | "metrics" | "other"

export const routeName = (route: Route | Refused): RouteName => {
  switch (route._tag) {
    case "Operation":
      return "operation"
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

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const operationPath = /^\/subscriptions\/([^/]+)\/endpoints\/([^/]+)\/operations\/([^/]+)$/
// Only these may appear in a path at all: no percent-encoding, no backslash, nothing a decoder could turn into `/` or `.`.
const plainPath = /^\/[A-Za-z0-9\-._~/]*$/
const names = ["subscriptionId", "endpointId", "operationId"] as const

// The usual call carries `apiVersion=1.0` alone; anything else goes through URLSearchParams.
const apiVersionOf = (query: string): string | undefined =>
  query === "apiVersion=1.0" ? "1.0" : (new URLSearchParams(query).get("apiVersion") ?? undefined)

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
  const route = routeOf(path, query)
  if (route._tag !== "Refused" && method !== "GET") {
    return { ...refused(405, `Method ${method} is not allowed here; use GET.`), allow: "GET", route: routeName(route) }
  }
  if (route._tag !== "Refused" && hasBody) return refused(400, "A GET request may not carry a body.")
  return route
}

const routeOf = (path: string, query: string): Route | Refused => {
  switch (path) {
    case "/healthz":
      return { _tag: "Health" }
    case "/readyz":
      return { _tag: "Ready" }
    case "/metrics":
      return { _tag: "Metrics" }
  }
  const match = operationPath.exec(path)
  if (match === null) return refused(404, `No API at ${path}.`)
  const ids = [match[1]!, match[2]!, match[3]!]
  const bad = ids.findIndex((id) => !guid.test(id))
  if (bad >= 0) return refused(400, `${names[bad]} must be a GUID such as 5dd0413d-a2f9-442a-b836-128d87753fa9.`)
  const version = apiVersionOf(query)
  if (version === undefined) return refused(400, "Query parameter apiVersion is missing.", "ParameterMissing")
  if (version !== "1.0") return refused(400, "Query parameter apiVersion must be 1.0.")
  return {
    _tag: "Operation",
    subscriptionId: ids[0]!.toLowerCase(),
    endpointId: ids[1]!.toLowerCase(),
    operationId: ids[2]!.toLowerCase()
  }
}
