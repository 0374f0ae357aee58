/**
 * Readers for what the published documents spell in more than one way: booleans and numbers as JSON strings,
 * object keys in any case. Each decodes every spelling and encodes the documented one.
 */
import { Schema } from "effect"
import { quoted } from "../Errors.js"

/** `true`, `false`, or the strings `"true"` / `"false"` in any case; encodes a JSON boolean. */
export const LenientBoolean = Schema.Union(
  Schema.Boolean,
  Schema.transform(
    Schema.String.pipe(Schema.filter((s) => /^(true|false)$/i.test(s.trim()), { message: () => "not a boolean" })),
    Schema.Boolean,
    { strict: true, decode: (s) => s.trim().toLowerCase() === "true", encode: String }
  )
)

/** A number, or a JSON string holding one (the description file types some numbers as strings). */
export const LenientNumber = Schema.Union(Schema.Number, Schema.NumberFromString)

/** A list that may be absent or null: read as empty. */
export const LenientArray = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(Schema.Array(item), { default: () => [], nullable: true })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Renames object keys, at any depth, to the spelling in `names` that matches them case-insensitively (and to the
 * aliases' targets), so that `EndpointID`, `endpointId` and `EndpointId` all read as `EndpointId`.
 */
export const CanonicalKeys = (names: ReadonlyArray<string>, aliases: Readonly<Record<string, string>> = {}) => {
  const canonical = new Map<string, string>(names.map((name) => [name.toLowerCase(), name]))
  for (const [alias, name] of Object.entries(aliases)) canonical.set(alias.toLowerCase(), name)
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename)
    if (!isRecord(value)) return value
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) {
      const name = canonical.get(key.toLowerCase()) ?? key
      // The first spelling seen wins, as for a repeated query parameter.
      if (!(name in out)) out[name] = rename(inner)
    }
    return out
  }
  return Schema.transform(Schema.Unknown, Schema.Unknown, { strict: true, decode: rename, encode: (value) => value })
}

/** One of `values`, refused in one line naming them all (a literal union would list an issue per value). */
export const OneOf = <const L extends ReadonlyArray<string>>(
  values: L,
  name: string
): Schema.Schema<L[number], string> =>
  Schema.String.pipe(
    Schema.filter(
      (value) =>
        (values as ReadonlyArray<string>).includes(value) ||
        `${name} must be one of ${values.join(", ")}, got ${quoted(value)}`
    )
  ) as unknown as Schema.Schema<L[number], string>
