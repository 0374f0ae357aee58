/**
 * How endpoints print: the live service's JSON, a table of the list, the fields of one.
 */
import { type Endpoint, EndpointShape } from "@org/cdn-core/Endpoints"
import { Schema } from "effect"
import type { OutputFormat } from "./GlobalOptions.js"
import { columns, fields, tsv } from "./Table.js"

const encode = Schema.encodeSync(EndpointShape)

const row = (e: Endpoint) => [
  e.endpointId,
  e.settings.customDomain,
  e.status.enabled ? "enabled" : "disabled",
  e.status.lifetimeStatus,
  e.status.icpVerifyStatus ?? "",
  e.settings.serviceType ?? "",
  e.settings.origin.addresses.join(",")
]

/** The endpoints of a subscription. */
export const endpointsText = (endpoints: ReadonlyArray<Endpoint>, format: OutputFormat): string => {
  switch (format) {
    case "json":
      return JSON.stringify(
        endpoints.map((e) => encode(e)),
        null,
        2
      )
    case "tsv":
      return tsv(endpoints.map(row))
    case "table":
      return endpoints.length === 0
        ? "no endpoints"
        : columns(["ENDPOINT", "DOMAIN", "STATE", "LIFETIME", "ICP", "SERVICE", "ORIGIN"], endpoints.map(row))
  }
}

/** One endpoint: every field. */
export const endpointText = (e: Endpoint, format: OutputFormat): string => {
  switch (format) {
    case "json":
      return JSON.stringify(encode(e), null, 2)
    case "tsv":
      return tsv([row(e)])
    case "table":
      return fields([
        ["EndpointId", e.endpointId],
        ["CustomDomain", e.settings.customDomain],
        ["CName", e.settings.cname],
        ["Host", e.settings.host],
        ["Origin", e.settings.origin.addresses.join(", ")],
        ["ServiceType", e.settings.serviceType],
        ["ICP", e.settings.icp],
        ["Enabled", e.status.enabled],
        ["LifetimeStatus", e.status.lifetimeStatus],
        ["IcpVerifyStatus", e.status.icpVerifyStatus],
        ["CNameConfigured", e.status.cnameConfigured],
        ["TimeLastUpdated", e.status.timeLastUpdated]
      ])
  }
}
