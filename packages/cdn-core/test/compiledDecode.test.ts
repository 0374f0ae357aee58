/**
 * The compiled reader of answers gives Schema's results: the same value for every answer it reads, and Schema's own
 * issue (through the fallback) for every answer it cannot. Checked on every call's answer and input schemas, with
 * values made from the schemas' arbitraries, their keys in other cases, and broken in one place.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, ParseResult, Schema } from "effect"
import { CdnApi, Operation } from "../src/index.js"
import { compiledReader, decodeUnknownEither } from "../src/internal/compiledDecode.js"

// Fixed seed: the same cases on every run.
const runs = { seed: 20261206, numRuns: 60 }

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

// Every place in a JSON value, as a path of keys and indexes.
const pathsOf = (value: Json, at: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> => {
  const inner = Array.isArray(value)
    ? value.flatMap((item, i) => pathsOf(item, [...at, i]))
    : typeof value === "object" && value !== null
      ? Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...at, key]))
      : []
  return [at, ...inner]
}

// A copy of `value` with the place at `path` replaced (or removed, for `undefined`).
const replaced = (value: Json, path: ReadonlyArray<string | number>, by: Json | undefined): Json | undefined => {
  if (path.length === 0) return by
  const [head, ...rest] = path
  if (Array.isArray(value)) {
    const copy = [...value]
    const next = replaced(copy[head as number]!, rest, by)
    if (next === undefined) copy.splice(head as number, 1)
    else copy[head as number] = next
    return copy
  }
  const copy = { ...(value as Record<string, Json>) }
  const next = replaced(copy[head as string]!, rest, by)
  if (next === undefined) delete copy[head as string]
  else copy[head as string] = next
  return copy
}

// Keys in another case, as answers come (`EndpointID`, `endpointid`).
const recased = (value: Json, upper: boolean): Json =>
  Array.isArray(value)
    ? value.map((item) => recased(item, upper))
    : typeof value === "object" && value !== null
      ? Object.fromEntries(
          Object.entries(value).map(([key, item]) => [
            upper ? key.toUpperCase() : key.toLowerCase(),
            recased(item, upper)
          ])
        )
      : value

// Every call's answer schema and input schema (the client checks each input with it before sending).
const schemas = Object.entries(CdnApi.calls).flatMap(([name, call]) => [
  { name: `${name} answer`, schema: call.success as Schema.Schema<unknown, unknown> },
  { name: `${name} input`, schema: call.input as Schema.Schema<unknown, unknown> }
])

// Inputs with a default (`files: []`, `ignoreCookie: false`) are read by Schema's interpreter: none is on a hot path.
const interpreted = new Set(["purge input", "setCacheRules input", "setAccessControl input"])

// A certificate is not drawn at random (the client's certificate tests read real ones): every other schema is.
const drawn = schemas.filter(({ name }) => name !== "uploadCertificate input")
const drawnAndCompiled = drawn.filter(({ name }) => !interpreted.has(name))

describe("compiled reading of answers and inputs", () => {
  it.each(schemas)("$name: compiled, or read by Schema's interpreter as intended", ({ name, schema }) => {
    expect(compiledReader(schema.ast) === undefined).toBe(interpreted.has(name))
  })

  it.each(drawnAndCompiled)(
    "$name: values made from the schema read to Schema's value, keys in any case",
    ({ schema: success }) => {
      const read = compiledReader(success.ast)!
      const slow = Schema.decodeUnknownEither(success)
      const wire = Arbitrary.make(success).map((value) => JSON.parse(JSON.stringify(Schema.encodeSync(success)(value))))
      fc.assert(
        fc.property(wire, fc.constantFrom("as sent", "upper", "lower"), (json, spelling) => {
          const input = spelling === "as sent" ? json : recased(json, spelling === "upper")
          const expected = slow(input)
          const got = read(input)
          // Every value Schema reads is read by the compiled reader (none pays for the interpreter), to the same value.
          expect(got === undefined ? "not read" : got.value).toStrictEqual(
            Either.isRight(expected) ? expected.right : "not read"
          )
        }),
        runs
      )
    }
  )

  it.each(drawn)("$name: a value broken in one place reads as Schema reads it", ({ schema: success }) => {
    const read = compiledReader(success.ast) ?? (() => undefined)
    const decode = decodeUnknownEither(success)
    const slow = Schema.decodeUnknownEither(success)
    const wire = Arbitrary.make(success).map(
      (value) => JSON.parse(JSON.stringify(Schema.encodeSync(success)(value))) as Json
    )
    const broken = wire.chain((json) => {
      const paths = pathsOf(json)
      return fc.tuple(fc.constant(json), fc.constantFrom(...paths), fc.option(fc.jsonValue(), { nil: undefined }))
    })
    fc.assert(
      fc.property(broken, ([json, path, by]) => {
        const input = replaced(json, path, by as Json | undefined)
        const expected = slow(input)
        const got = read(input)
        // Read by the compiled reader only where Schema reads it, to the same value.
        if (got !== undefined) expect(got.value).toStrictEqual(Either.getOrThrow(expected))
        // What a caller gets is always Schema's result, issue and message included.
        const result = decode(input)
        if (Either.isLeft(expected)) {
          const issue = Either.isLeft(result) ? ParseResult.TreeFormatter.formatErrorSync(result.left) : "read"
          expect(issue).toBe(ParseResult.TreeFormatter.formatErrorSync(expected.left))
        } else expect(Either.getOrThrow(result)).toStrictEqual(expected.right)
      }),
      runs
    )
  })

  it("an operation's answer reads to the same Operation, statuses and dates included", () => {
    const decode = decodeUnknownEither(CdnApi.calls.getOperation.success)
    const answer = {
      Id: "A97459BF-E4C4-4D4F-94E4-B775F0F09F31",
      Type: "Purge",
      Status: "Succeed",
      Start: "2026-01-01T00:00:00Z",
      EndpointID: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
      subscriptionid: "5dd0413d-a2f9-442a-b836-128d87753fa9"
    }
    const value = Either.getOrThrow(decode(answer))
    expect(value).toBeInstanceOf(Operation.Operation)
    expect(value).toStrictEqual(
      Either.getOrThrow(Schema.decodeUnknownEither(CdnApi.calls.getOperation.success)(answer))
    )
    expect(value.status).toBe("Succeeded")
    expect(value.id).toBe("a97459bf-e4c4-4d4f-94e4-b775f0f09f31")
    expect(value.end).toBeNull()
  })

  it("an unreadable answer gets Schema's issue, naming the field", () => {
    const decode = decodeUnknownEither(CdnApi.calls.getOperation.success)
    const result = decode({ Id: "not-a-guid", Type: "Purge", Status: "Succeeded" })
    expect(Either.isLeft(result) ? result.left.message : "read").toContain("OperationId must be a GUID")
  })
})
