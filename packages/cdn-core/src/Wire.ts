/**
 * How a request is read where it is received (the proxy, the emulator, the CLI's files): strictly. The service binds
 * a body with ASP.NET's model binder, which matches keys case-insensitively, so keys are read in any case; but each
 * key at most once, none the call does not take, values of their own type only, enumerations with their documented
 * values, booleans as `true`/`false` or `"true"`/`"false"`, and text that is valid UTF-8. What cannot be read exactly
 * is refused naming the field: it is never rewritten into something that can.
 */
import { Either, ParseResult, Schema } from "effect"
import { bounded, quoted } from "./Errors.js"
import { duplicateKey } from "./internal/duplicateKeys.js"
import { firstProblem, pathText, type RefusalType } from "./internal/issues.js"

export { type RefusalType, RefusalTypeId } from "./internal/issues.js"

/** A request that cannot be read exactly: the service's error type, the field at fault and why. */
export class RequestRefused extends Schema.TaggedError<RequestRefused>()("RequestRefused", {
  /** `ParameterMissing`, `ParameterInvalid` or `MaliciousItemPathDetected`: what the service answers. */
  type: Schema.Literal("ParameterMissing", "ParameterInvalid", "MaliciousItemPathDetected"),
  /** The field as the request spells it (`Files`, `startTime`), or `body`. */
  field: Schema.String,
  message: Schema.String
}) {}

export const refused = (type: RefusalType, field: string, message: string): RequestRefused =>
  new RequestRefused({ type, field, message })

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** A request body as JSON: valid UTF-8 (a leading BOM is allowed), valid JSON, no key twice in one object. */
export const readJson = (bytes: Uint8Array): Either.Either<unknown, RequestRefused> => {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return Either.left(refused("ParameterInvalid", "body", "body: is not valid UTF-8"))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(refused("ParameterInvalid", "body", "body: is not JSON"))
  }
  const twice = duplicateKey(text)
  return twice === undefined
    ? Either.right(json)
    : Either.left(refused("ParameterInvalid", "body", `body: the key ${quoted(twice)} is given twice in one object`))
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// Keys renamed to the spelling the struct uses, matched case-insensitively; one the struct does not take, or one
// given twice in two casings, is refused at its own path.
const strictKeys = (names: ReadonlyArray<string>) => {
  const canonical = new Map(names.map((name) => [name.toLowerCase(), name]))
  const takes = names.join(", ")
  return Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
    strict: true,
    decode: (value, _, ast) => {
      if (!isRecord(value)) {
        return ParseResult.fail(new ParseResult.Type(ast, value, "must be a JSON object"))
      }
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(value)) {
        const name = canonical.get(key.toLowerCase())
        if (name === undefined || Object.hasOwn(out, name)) {
          const why =
            name === undefined
              ? `is not a key this call takes (it takes ${takes})`
              : `is given twice (keys are read in any case: ${name})`
          return ParseResult.fail(new ParseResult.Pointer(key, value, new ParseResult.Unexpected(value[key], why)))
        }
        out[name] = value[key]
      }
      return ParseResult.succeed(out)
    },
    encode: ParseResult.succeed
  })
}

/**
 * A JSON object read strictly: `fields` as for `Schema.Struct` (with `Schema.fromKey` for the wire's spelling); keys
 * in any case, each at most once, no other key. Encodes the struct's own spelling.
 */
export const object = <Fields extends Schema.Struct.Fields>(
  fields: Fields
): Schema.Schema<Schema.Struct.Type<Fields>, Schema.Struct.Encoded<Fields>> => {
  const struct = Schema.Struct(fields)
  const names = (
    Schema.encodedSchema(struct).ast as { propertySignatures: ReadonlyArray<{ name: PropertyKey }> }
  ).propertySignatures.map((p) => String(p.name))
  return Schema.compose(strictKeys(names), struct, { strict: false }) as unknown as Schema.Schema<
    Schema.Struct.Type<Fields>,
    Schema.Struct.Encoded<Fields>
  >
}

/** A boolean as JSON `true`/`false` or the strings `"true"`/`"false"` (the description file types flags as strings). */
export const Flag = Schema.Union(
  Schema.Boolean,
  Schema.transform(Schema.Literal("true", "false"), Schema.Boolean, {
    strict: true,
    decode: (text) => text === "true",
    encode: (flag) => (flag ? "true" : "false")
  })
).annotations({ message: () => 'must be true or false (or "true" or "false")' })

/** The same, sent as the string the documents show (`"Enabled": "true"`). */
export const FlagText = Schema.Union(
  Schema.transform(Schema.Literal("true", "false"), Schema.Boolean, {
    strict: true,
    decode: (text) => text === "true",
    encode: (flag) => (flag ? "true" : "false")
  }),
  Schema.Boolean
).annotations({ message: () => 'must be true or false (or "true" or "false")' })

const wholeNumber = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

/** A whole number >= 0, as a JSON number or a string of digits (the description file types some as strings). */
export const WholeNumber = Schema.Union(
  Schema.Number,
  Schema.transform(Schema.String.pipe(Schema.pattern(/^\d{1,15}$/)), Schema.Number, {
    strict: true,
    decode: Number,
    encode: String
  })
)
  .pipe(Schema.filter(wholeNumber))
  .annotations({ message: () => "must be a whole number >= 0" })

/** One of `values` exactly, refused in one line naming them all. */
export const OneOf = <const L extends ReadonlyArray<string>>(values: L): Schema.Schema<L[number], string> =>
  Schema.String.pipe(
    Schema.filter(
      (value) =>
        (values as ReadonlyArray<string>).includes(value) || `must be one of ${values.join(", ")}, got ${quoted(value)}`
    ),
    Schema.annotations({ arbitrary: () => (fc) => fc.constantFrom(...values) })
  ) as unknown as Schema.Schema<L[number], string>

// Removes from `message` any run of 8 or more characters found in one of `secrets`, so that a refusal never repeats a
// private key, even a piece of one pasted into another field.
const scrub = (message: string, secrets: ReadonlyArray<string>): string =>
  secrets.length === 0
    ? message
    : message.replace(/[^\s"',:;()[\]{}]{8,}/g, (run) =>
        secrets.some((secret) => secret.includes(run) || (secret.length >= 8 && run.includes(secret)))
          ? "(not shown)"
          : run
      )

/**
 * The refusal for a failed decode of a request: its first problem, named by the request's own spelling. Text found in
 * `secrets` is never repeated.
 */
export const refusalOf = (error: ParseResult.ParseError, secrets: ReadonlyArray<string> = []): RequestRefused => {
  const problem = firstProblem(error)
  const field = problem.path.length === 0 ? "body" : String(problem.path[0])
  const type = problem.missing ? "ParameterMissing" : (problem.type ?? "ParameterInvalid")
  const message = scrub(`${bounded(pathText(problem.path), 120)}: ${bounded(problem.message)}`, secrets)
  return refused(type, scrub(bounded(field, 120), secrets), message)
}
