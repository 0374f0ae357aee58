/**
 * How purges and preloads print: the accepted answer (its operation id) and the per-item results.
 */
import { AsyncResult } from "@org/cdn-core/AsyncResult"
import type { ItemResult } from "@org/cdn-core/Content"
import { Operation } from "@org/cdn-core/Operation"
import { Schema } from "effect"
import type { OutputFormat } from "./GlobalOptions.js"
import { columns, tsv } from "./Table.js"

const encodeAsync = Schema.encodeSync(AsyncResult)
const encodeOperation = Schema.encodeSync(Operation)

/** The accepted write: the service's JSON, or the id to follow alone. */
export const acceptedText = (result: AsyncResult, format: OutputFormat): string =>
  format === "json" ? JSON.stringify(encodeAsync(result), null, 2) : (result.taskTrackId ?? "")

/** Per-item results in the service's shape (`Files`, and `Directories` for a purge). */
export interface Items {
  readonly files: ReadonlyArray<ItemResult>
  readonly directories?: ReadonlyArray<ItemResult>
}

const rowsOf = (items: Items) => [
  ...items.files.map((item) => ["file", item.status, item.url] as const),
  ...(items.directories ?? []).map((item) => ["directory", item.status, item.url] as const)
]

const itemsJson = (items: Items) => ({
  Files: items.files.map((item) => ({ Url: item.url, Status: item.status })),
  ...(items.directories === undefined
    ? {}
    : { Directories: items.directories.map((item) => ({ Url: item.url, Status: item.status })) })
})

/** The items: a table (`KIND STATUS URL`), TSV lines (`kind<TAB>status<TAB>url`), or the service's JSON. */
export const itemsText = (items: Items, format: OutputFormat): string => {
  switch (format) {
    case "json":
      return JSON.stringify(itemsJson(items), null, 2)
    case "tsv":
      return tsv(rowsOf(items))
    case "table":
      return columns(["KIND", "STATUS", "URL"], rowsOf(items))
  }
}

/** A finished purge or preload: its operation and items (JSON: `{"Operation", "Files", "Directories"}`). */
export const finishedText = (operation: Operation, items: Items, format: OutputFormat): string =>
  format === "json"
    ? JSON.stringify({ Operation: encodeOperation(operation), ...itemsJson(items) }, null, 2)
    : itemsText(items, format)
