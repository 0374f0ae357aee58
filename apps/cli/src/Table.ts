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
