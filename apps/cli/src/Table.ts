/**
 * Plain text tables and TSV lines: the shapes `-o table` and `-o tsv` print.
 */

/** A value on one tab-separated line: no tab or line break of its own; nothing for none. */
export const cell = (value: unknown): string =>
  value === null || value === undefined ? "" : String(value).replace(/[\t\r\n]+/g, " ")

/** Columns padded to their widest cell, a header line first; `-` for none. */
export const columns = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): string => {
  const text = [header, ...rows.map((row) => row.map((value) => (cell(value) === "" ? "-" : cell(value))))]
  const widths = header.map((_, i) => Math.max(...text.map((row) => (row[i] ?? "").length)))
  return text
    .map((row) =>
      row
        .map((value, i) => (i === row.length - 1 ? value : value.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

/** TSV lines, no header (like `az … -o tsv`). */
export const tsv = (rows: ReadonlyArray<ReadonlyArray<unknown>>): string =>
  rows.map((row) => row.map(cell).join("\t")).join("\n")

/** One field per line, names padded; `-` for none. */
export const fields = (rows: ReadonlyArray<readonly [string, unknown]>): string => {
  const width = Math.max(...rows.map(([name]) => name.length))
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${cell(value) === "" ? "-" : cell(value)}`).join("\n")
}

// A value of a document on one line: lists joined, nothing for none.
const inline = (value: unknown): string =>
  Array.isArray(value) ? value.map(inline).join(", ") : value === null || value === undefined ? "" : String(value)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Key-value pairs of a document, nested keys joined with dots, lists of records kept apart. */
const flatten = (
  value: Record<string, unknown>,
  prefix = ""
): {
  readonly pairs: Array<[string, unknown]>
  readonly lists: Array<[string, ReadonlyArray<Record<string, unknown>>]>
} => {
  const pairs: Array<[string, unknown]> = []
  const lists: Array<[string, ReadonlyArray<Record<string, unknown>>]> = []
  for (const [key, inner] of Object.entries(value)) {
    const name = `${prefix}${key}`
    if (isRecord(inner)) {
      const nested = flatten(inner, `${name}.`)
      pairs.push(...nested.pairs)
      lists.push(...nested.lists)
    } else if (Array.isArray(inner) && inner.length > 0 && inner.every(isRecord)) {
      lists.push([name, inner])
    } else {
      pairs.push([name, inline(inner)])
    }
  }
  return { pairs, lists }
}

/** A JSON document for people: its fields, then each list of records as columns under its name. */
export const documentTable = (document: Record<string, unknown>): string => {
  const { pairs, lists } = flatten(document)
  const parts = pairs.length > 0 ? [fields(pairs)] : []
  for (const [name, rows] of lists) {
    const header = [...new Set(rows.flatMap((row) => Object.keys(row)))]
    parts.push(
      `${name}:\n${columns(
        header.map((h) => h.toUpperCase()),
        rows.map((row) => header.map((h) => inline(row[h])))
      )}`
    )
  }
  return parts.join("\n\n")
}

/** A JSON document as TSV: a line per field (`name<TAB>value`), a list's records as `name[i].field<TAB>value`. */
export const documentTsv = (document: Record<string, unknown>): string => {
  const { pairs, lists } = flatten(document)
  const rows: Array<ReadonlyArray<unknown>> = pairs.map(([name, value]) => [name, value])
  for (const [name, records] of lists) {
    records.forEach((record, i) => {
      for (const [key, value] of Object.entries(record)) rows.push([`${name}[${i}].${key}`, inline(value)])
    })
  }
  return tsv(rows)
}
