/**
 * How answers are read: tolerantly, but never silently. Keys in any case (both published spellings of an endpoint,
 * the documented `EndpointID` and the live `EndpointId`), booleans and numbers as JSON strings, a list given as
 * `null` as empty. A field the documents require stays required: missing, it is an unreadable answer naming it.
 */
import { Schema, type SchemaAST } from "effect"

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

/** A list the answer must hold; `null` reads as empty (the service said so), a missing key does not. */
export const NullableList = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.transform(Schema.NullOr(Schema.Array(item)), Schema.typeSchema(Schema.Array(item)), {
    strict: true,
    decode: (list) => list ?? [],
    encode: (list) => list
  })

/** A list that may be absent or null (the documents make it optional): read as empty. */
export const OptionalList = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(Schema.Array(item), { default: () => [], nullable: true })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// Other spellings the published documents use for a key: the documented endpoint's `Setting`, 2017's `Name`.
const aliases: Readonly<Record<string, string>> = { setting: "Settings", name: "CertificateName" }

// Every key an encoded shape holds, at any depth.
const keysOf = (ast: SchemaAST.AST, into: Set<string>, seen: Set<SchemaAST.AST>): void => {
  if (seen.has(ast)) return
  seen.add(ast)
  switch (ast._tag) {
    case "TypeLiteral":
      for (const property of ast.propertySignatures) {
        into.add(String(property.name))
        keysOf(property.type, into, seen)
      }
      for (const index of ast.indexSignatures) keysOf(index.type, into, seen)
      return
    case "TupleType":
      for (const element of ast.elements) keysOf(element.type, into, seen)
      for (const rest of ast.rest) keysOf(rest.type, into, seen)
      return
    case "Union":
      for (const member of ast.types) keysOf(member, into, seen)
      return
    case "Refinement":
    case "Transformation":
      keysOf(ast.from, into, seen)
      return
    case "Suspend":
      keysOf(ast.f(), into, seen)
      return
    default:
      return
  }
}

/**
 * `schema` read with its keys in any case, at any depth: each key renamed to the spelling `schema` uses (the first
 * spelling seen wins, as for a repeated query parameter). The one reader of every answer.
 */
export const anyCase = <A, I, R>(schema: Schema.Schema<A, I, R>): Schema.Schema<A, unknown, R> => {
  const names = new Set<string>()
  keysOf(Schema.encodedSchema(schema).ast, names, new Set())
  const canonical = new Map<string, string>([...names].map((name) => [name.toLowerCase(), name]))
  for (const [alias, name] of Object.entries(aliases)) {
    if (names.has(name) && !canonical.has(alias)) canonical.set(alias, name)
  }
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename)
    if (!isRecord(value)) return value
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) {
      const name = canonical.get(key.toLowerCase()) ?? key
      if (!Object.hasOwn(out, name)) out[name] = rename(inner)
    }
    return out
  }
  return Schema.compose(
    Schema.transform(Schema.Unknown, Schema.Unknown, { strict: true, decode: rename, encode: (value) => value }),
    schema,
    { strict: false }
  ) as unknown as Schema.Schema<A, unknown, R>
}
