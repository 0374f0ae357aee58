/**
 * The first problem of a failed decode, as a person reads it: where (`Files[3]`), what is wrong, and whether the
 * field was missing. A type mismatch says what kind of value came (`got a number`), never the value itself, so that
 * no refusal repeats what it was sent (a private key among it).
 */
import { Option, ParseResult, SchemaAST } from "effect"

/** The service's error type a refused field answers with, set on the schema that refuses it. */
export const RefusalTypeId: unique symbol = Symbol.for("@org/cdn-core/RefusalType")
export type RefusalType = "ParameterMissing" | "ParameterInvalid" | "MaliciousItemPathDetected"

export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
  readonly missing: boolean
  /** The error type named by the schema that refused, if any. */
  readonly type: RefusalType | undefined
}

/** `Files[3]`, `Origin.Addresses[0]`, or `body` for the value itself. */
export const pathText = (path: ReadonlyArray<PropertyKey>, root = "body"): string =>
  path.length === 0
    ? root
    : path
        .map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? String(step) : `.${String(step)}`))
        .join("")

const kindOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "a list"
      : typeof value === "object"
        ? "an object"
        : typeof value === "string"
          ? "a string"
          : typeof value === "number"
            ? "a number"
            : typeof value === "boolean"
              ? "a boolean"
              : "nothing"

const expected = (ast: SchemaAST.AST): string => {
  const described = SchemaAST.getDescriptionAnnotation(ast).pipe(Option.orElse(() => SchemaAST.getTitleAnnotation(ast)))
  if (Option.isSome(described)) return described.value
  switch (ast._tag) {
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "TupleType":
      return "a list"
    case "TypeLiteral":
      return "an object"
    case "Literal":
      return JSON.stringify(ast.literal)
    case "Refinement":
      return expected(ast.from)
    case "Transformation":
      return expected(ast.from)
    case "Union":
      return ast.types.map(expected).join(" or ")
    default:
      return "another kind of value"
  }
}

const refusalOf = (ast: SchemaAST.AST): RefusalType | undefined =>
  Option.getOrUndefined(SchemaAST.getAnnotation<RefusalType>(RefusalTypeId)(ast))

const hasMessage = (ast: SchemaAST.AST): boolean => Option.isSome(SchemaAST.getMessageAnnotation(ast))

// A schema's own message for `issue`, from its message annotation; else effect's formatter (a filter's message).
const formatted = (issue: ParseResult.ParseIssue & { readonly ast: SchemaAST.AST }): string => {
  const annotation = SchemaAST.getMessageAnnotation(issue.ast)
  if (Option.isSome(annotation)) {
    const said = annotation.value(issue)
    if (typeof said === "string") return said
    if (typeof said === "object" && said !== null && "message" in said && typeof said.message === "string") {
      return said.message
    }
  }
  return ParseResult.ArrayFormatter.formatIssueSync(issue)[0]?.message ?? "is not valid"
}

const walk = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey>,
  type: RefusalType | undefined
): Problem => {
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])], type)
    case "Composite":
      if (hasMessage(issue.ast)) return { path, message: formatted(issue), missing: false, type }
      return walk(Array.isArray(issue.issues) ? issue.issues[0] : (issue.issues as ParseResult.ParseIssue), path, type)
    case "Refinement": {
      // A refinement's own message is for its own predicate; a problem inside what it refines keeps its path.
      if (issue.kind === "From") return walk(issue.issue, path, type)
      const own = refusalOf(issue.ast) ?? type
      if (hasMessage(issue.ast)) return { path, message: formatted(issue), missing: false, type: own }
      return walk(issue.issue, path, own)
    }
    case "Transformation":
      if (hasMessage(issue.ast)) return { path, message: formatted(issue), missing: false, type }
      return walk(issue.issue, path, refusalOf(issue.ast) ?? type)
    case "Missing":
      return { path, message: "is missing", missing: true, type: "ParameterMissing" }
    case "Unexpected":
      return { path, message: issue.message ?? "is not a key this call takes", missing: false, type }
    case "Type":
      return {
        path,
        message:
          issue.message ??
          (hasMessage(issue.ast) ? formatted(issue) : `must be ${expected(issue.ast)}, got ${kindOf(issue.actual)}`),
        missing: false,
        type: refusalOf(issue.ast) ?? type
      }
    case "Forbidden":
      return { path, message: issue.message ?? "cannot be checked here", missing: false, type }
  }
}

/** The first problem of `error`. */
export const firstProblem = (error: ParseResult.ParseError | ParseResult.ParseIssue): Problem =>
  walk(error._tag === "ParseError" ? error.issue : error, [], undefined)
