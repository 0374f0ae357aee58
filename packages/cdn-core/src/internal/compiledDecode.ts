/**
 * `Schema.decodeUnknownEither`, faster on what it can read. Effect's interpreter allocates an Either, closures and
 * option objects at every node of a schema (an operation's answer: about 20 KB and 10 µs); here the schema's AST is
 * compiled once into plain functions that build only the value. Whatever they do not cover, and every input they
 * cannot read, goes to Schema's own decoder, which gives the value or the issue: the answer is always Schema's.
 */
import { Either, Option, type ParseResult, Schema, SchemaAST } from "effect"

// The compiled reader could not read the input (or met a node it does not cover at run time): ask Schema.
const miss: unique symbol = Symbol("miss")
type Miss = typeof miss
type Reader = (input: unknown) => unknown

const isRecord = (value: unknown): value is Record<PropertyKey, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// What one compilation shares: the readers made so far (a recursive schema meets itself) and the options that
// filters, transformations and declarations are called with, as the interpreter calls them.
interface Compilation {
  readonly memo: Map<SchemaAST.AST, Reader | undefined>
  readonly options: SchemaAST.ParseOptions
}

// A result of a transformation or a declaration: only a synchronous success is taken.
const rightOrMiss = (result: unknown): unknown =>
  Either.isEither(result) && Either.isRight(result) ? result.right : miss

// The interpreter narrows a union's members by literal fields first; such unions are left to it.
const hasLiterals = (ast: SchemaAST.AST): boolean => {
  switch (ast._tag) {
    case "Declaration":
      return Option.match(SchemaAST.getSurrogateAnnotation(ast), { onNone: () => false, onSome: hasLiterals })
    case "TypeLiteral":
      return ast.propertySignatures.some((p) => !p.isOptional && SchemaAST.isLiteral(SchemaAST.encodedAST(p.type)))
    case "TupleType":
      return ast.elements.some((e) => !e.isOptional && SchemaAST.isLiteral(SchemaAST.encodedAST(e.type)))
    case "Refinement":
      return hasLiterals(ast.from)
    case "Suspend":
      return hasLiterals(ast.f())
    case "Transformation":
      return hasLiterals(ast.from)
    default:
      return false
  }
}

const guard =
  (test: (u: unknown) => boolean): Reader =>
  (u) =>
    test(u) ? u : miss

/** Compiles the decoding side of an AST; undefined when some node is not covered. */
const compile = (ast: SchemaAST.AST, c: Compilation): Reader | undefined => {
  if (c.memo.has(ast)) return c.memo.get(ast)
  // Options and fallbacks given as annotations change what a node reads: left to the interpreter.
  if (Option.isSome(SchemaAST.getParseOptionsAnnotation(ast))) return undefined
  if (Option.isSome(SchemaAST.getDecodingFallbackAnnotation(ast))) return undefined
  // A recursive schema reaches itself through a Suspend, compiled on first use.
  c.memo.set(ast, undefined)
  const reader = compileNode(ast, c)
  c.memo.set(ast, reader)
  return reader
}

const compileNode = (ast: SchemaAST.AST, c: Compilation): Reader | undefined => {
  switch (ast._tag) {
    case "Literal":
      return guard((u) => u === ast.literal)
    case "UndefinedKeyword":
      return guard((u) => u === undefined)
    case "UnknownKeyword":
    case "AnyKeyword":
      return (u) => u
    case "StringKeyword":
      return guard((u) => typeof u === "string")
    case "NumberKeyword":
      return guard((u) => typeof u === "number")
    case "BooleanKeyword":
      return guard((u) => typeof u === "boolean")
    case "Enums":
      return guard((u) => ast.enums.some(([, value]) => value === u))
    case "Refinement": {
      const from = compile(ast.from, c)
      if (from === undefined) return undefined
      return (u) => {
        const a = from(u)
        return a === miss || Option.isSome(ast.filter(a, c.options, ast)) ? miss : a
      }
    }
    case "Transformation":
      return compileTransformation(ast, c)
    case "Declaration": {
      const parse = ast.decodeUnknown(...ast.typeParameters)
      return (u) => rightOrMiss(parse(u, c.options, ast))
    }
    case "TypeLiteral":
      return compileTypeLiteral(ast, c)
    case "TupleType":
      return compileTupleType(ast, c)
    case "Union": {
      if (ast.types.some(hasLiterals)) return undefined
      const members: Array<Reader> = []
      for (const type of ast.types) {
        const member = compile(type, c)
        if (member === undefined) return undefined
        members.push(member)
      }
      // The first member that reads the input, in order, as the interpreter tries them.
      return (u) => {
        for (const member of members) {
          const a = member(u)
          if (a !== miss) return a
        }
        return miss
      }
    }
    case "Suspend": {
      let inner: Reader | undefined | null = null
      return (u) => {
        if (inner === null) inner = compile(ast.f(), c)
        return inner === undefined ? miss : inner(u)
      }
    }
    default:
      return undefined
  }
}

const compileTransformation = (ast: SchemaAST.Transformation, c: Compilation): Reader | undefined => {
  const from = compile(ast.from, c)
  const to = compile(ast.to, c)
  if (from === undefined || to === undefined) return undefined
  const transformation = ast.transformation
  switch (transformation._tag) {
    case "ComposeTransformation":
      return (u) => {
        const a = from(u)
        return a === miss ? miss : to(a)
      }
    case "FinalTransformation":
      return (u) => {
        const a = from(u)
        if (a === miss) return miss
        const b = rightOrMiss(transformation.decode(a, c.options, ast, u))
        return b === miss ? miss : to(b)
      }
    case "TypeLiteralTransformation": {
      const steps = transformation.propertySignatureTransformations
      const sources = new Set(steps.map((step) => step.from))
      const targets = new Set(steps.map((step) => step.to))
      // Renames that chain or swap keys depend on the interpreter's order of deletes: left to it.
      if (targets.size < steps.length || steps.some((step) => targets.has(step.from))) return undefined
      // The interpreter deletes each source key and sets its target; building the object anew gives the same keys
      // and values without `delete`, which turns an object into a slow dictionary.
      return (u) => {
        const a = from(u) as Record<PropertyKey, unknown> | Miss
        if (a === miss) return miss
        const out: Record<PropertyKey, unknown> = {}
        for (const key of Object.keys(a)) if (!sources.has(key)) out[key] = a[key]
        for (const step of steps) {
          const value = step.decode(Object.hasOwn(a, step.from) ? Option.some(a[step.from]) : Option.none())
          if (Option.isSome(value)) out[step.to] = value.value
        }
        return to(out)
      }
    }
  }
}

const compileTypeLiteral = (ast: SchemaAST.TypeLiteral, c: Compilation): Reader | undefined => {
  const properties: Array<{ readonly name: PropertyKey; readonly optional: boolean; readonly read: Reader }> = []
  for (const property of ast.propertySignatures) {
    const read = compile(property.type, c)
    if (read === undefined) return undefined
    properties.push({ name: property.name, optional: property.isOptional, read })
  }
  // Only string-keyed records (`Schema.Record({ key: Schema.String, ... })`) besides the named fields.
  let rest: Reader | undefined
  if (ast.indexSignatures.length > 1) return undefined
  if (ast.indexSignatures.length === 1) {
    const index = ast.indexSignatures[0]!
    if (index.parameter._tag !== "StringKeyword") return undefined
    rest = compile(index.type, c)
    if (rest === undefined) return undefined
  }
  const named = new Set(properties.map((p) => p.name))
  return (u) => {
    if (!isRecord(u)) return miss
    const out: Record<PropertyKey, unknown> = {}
    for (const property of properties) {
      const has = Object.hasOwn(u, property.name)
      if (!has && property.optional) continue
      const value = property.read(u[property.name])
      if (value === miss) return miss
      out[property.name] = value
    }
    if (rest !== undefined) {
      for (const key of Object.keys(u)) {
        const value = rest(u[key])
        if (value === miss) return miss
        if (!named.has(key)) out[key] = value
      }
    }
    return out
  }
}

const compileTupleType = (ast: SchemaAST.TupleType, c: Compilation): Reader | undefined => {
  // Fixed elements and at most one rest type (`Schema.Array`, `Schema.Tuple`): nothing after the rest.
  if (ast.rest.length > 1) return undefined
  const elements: Array<{ readonly optional: boolean; readonly read: Reader }> = []
  for (const element of ast.elements) {
    const read = compile(element.type, c)
    if (read === undefined) return undefined
    elements.push({ optional: element.isOptional, read })
  }
  const restType = ast.rest[0]
  const rest = restType === undefined ? undefined : compile(restType.type, c)
  if (restType !== undefined && rest === undefined) return undefined
  const required = elements.filter((e) => !e.optional).length
  return (u) => {
    if (!Array.isArray(u)) return miss
    if (u.length < required || (rest === undefined && u.length > elements.length)) return miss
    const out: Array<unknown> = []
    for (let i = 0; i < u.length; i++) {
      const read = i < elements.length ? elements[i]!.read : rest!
      const value = read(u[i])
      if (value === miss) return miss
      out.push(value)
    }
    return out
  }
}

/**
 * Like `Schema.decodeUnknownEither(schema, options)`, with the same results: an input the compiled reader reads is
 * decoded by it, any other by Schema (so an issue always comes from Schema, with its path and message).
 */
export const decodeUnknownEither = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  options?: SchemaAST.ParseOptions
): ((input: unknown) => Either.Either<A, ParseResult.ParseError>) => {
  const slow = Schema.decodeUnknownEither(schema as Schema.Schema<A, I, never>, options)
  // Options that change what is read (`exact`, excess properties, property order) are the interpreter's.
  const plain = options === undefined || Object.keys(options).every((key) => key === "errors")
  const fast = plain ? compile(schema.ast, { memo: new Map(), options: options ?? {} }) : undefined
  if (fast === undefined) return slow
  return (input) => {
    const value = fast(input)
    return value === miss ? slow(input) : Either.right(value as A)
  }
}

/** The compiled reader alone, for tests: the value, or undefined where Schema has to read the input. */
export const compiledReader = (
  ast: SchemaAST.AST
): ((input: unknown) => { readonly value: unknown } | undefined) | undefined => {
  const fast = compile(ast, { memo: new Map(), options: {} })
  if (fast === undefined) return undefined
  return (input) => {
    const value = fast(input)
    return value === miss ? undefined : { value }
  }
}
