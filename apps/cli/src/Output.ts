/**
 * How results are printed on stdout: `json` (the service's own shape), `table` (for people) and `tsv` (for scripts).
 */
import { Operation } from "@org/cdn-core/Operation"
import type { SignatureHeaders } from "@org/cdn-core/Signer"
import { Option, Schema } from "effect"
import type { OutputChoice, OutputFormat } from "./GlobalOptions.js"

/** What to render for the format asked for (yaml is rendered as json, then reshaped), else table on a terminal and json in a pipe. */
export const formatFor = (output: Option.Option<OutputChoice>, isTerminal: boolean): OutputFormat =>
  Option.getOrElse(
    Option.map(output, (choice) => (choice === "yaml" ? "json" : choice)),
    () => (isTerminal ? "table" : "json")
  )

const encodeOperation = Schema.encodeSync(Operation)

// A value on one tab-separated line: no tab or line break of its own.
const cell = (value: unknown): string => (value === null ? "" : String(value).replace(/[\t\r\n]+/g, " "))

const table = (rows: ReadonlyArray<readonly [string, unknown]>): string => {
  const width = Math.max(...rows.map(([name]) => name.length))
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value === null ? "-" : cell(value)}`).join("\n")
}

/** An operation in the service's PascalCase shape (`Status` spelled `Succeeded`), as a table, or as one TSV line. */
export const operationText = (operation: Operation, format: OutputFormat): string => {
  const json = encodeOperation(operation)
  switch (format) {
    case "json":
      return JSON.stringify(json, null, 2)
    case "table":
      return table(Object.entries(json))
    case "tsv":
      // Values only, in the JSON's field order, like `az ... -o tsv`.
      return Object.values(json).map(cell).join("\t")
  }
}

/** The two signing headers: as curl's `-H` lines by default, as a JSON object, or as one TSV line. */
export const signatureText = (headers: SignatureHeaders, format: OutputFormat | "headers"): string => {
  const date = headers["x-azurecdn-request-date"]
  switch (format) {
    case "json":
      return JSON.stringify({ "x-azurecdn-request-date": date, Authorization: headers.authorization }, null, 2)
    case "tsv":
      return `${date}\t${headers.authorization}`
    default:
      return `x-azurecdn-request-date: ${date}\nAuthorization: ${headers.authorization}`
  }
}

/** Where a started emulator listens, and with which key ID. */
export const emulatorText = (url: string, keyId: string, format: OutputFormat | "line"): string => {
  switch (format) {
    case "json":
      return JSON.stringify({ url, keyId })
    case "tsv":
      return `${url}\t${keyId}`
    default:
      return `azcdn emulator listening on ${url} (key ID ${keyId}); stop it with Ctrl-C`
  }
}
