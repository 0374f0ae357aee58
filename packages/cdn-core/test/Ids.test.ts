import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import fc from "fast-check"
import * as Ids from "../src/Ids.js"

const runs = { seed: 20170502, numRuns: 200 }

type Decode = (input: unknown) => Either.Either<string, ParseResult.ParseError>

const kinds: ReadonlyArray<readonly [string, Decode]> = [
  ["SubscriptionId", Schema.decodeUnknownEither(Ids.SubscriptionId)],
  ["EndpointId", Schema.decodeUnknownEither(Ids.EndpointId)],
  ["OperationId", Schema.decodeUnknownEither(Ids.OperationId)]
]

// What a person reads when an ID is refused.
const failureMessage = (decode: Decode, input: unknown): string => {
  const result = decode(input)
  if (Either.isRight(result)) throw new Error(`expected ${JSON.stringify(input)} to be refused`)
  return ParseResult.TreeFormatter.formatErrorSync(result.left)
}

describe.each(kinds)("%s", (kind, decodeEither) => {
  const decode = (input: unknown) => Either.getOrThrow(decodeEither(input))

  it("decodes an upper-case GUID to lower case, as it is sent in paths", () => {
    expect(decode("5DD0413D-A2F9-442A-B836-128D87753FA9")).toBe("5dd0413d-a2f9-442a-b836-128d87753fa9")
  })

  it("refuses leading and trailing whitespace rather than trimming it: nothing is rewritten", () => {
    expect(failureMessage(decodeEither, "  46fecf3c-e874-49aa-891d-0d4dc93213e0\n")).toMatch(/must be a GUID/)
  })

  it("refuses a non-GUID with a message naming the ID kind and the input", () => {
    for (const input of [
      "",
      "not-a-guid",
      "5dd0413d-a2f9-442a-b836-128d87753fa",
      "{5dd0413d-a2f9-442a-b836-128d87753fa9}"
    ]) {
      const message = failureMessage(decodeEither, input)
      expect(message).toContain(`${kind} must be a GUID`)
      expect(message).toContain(JSON.stringify(input))
    }
  })

  it("decodes any GUID, in any case, to its lower-case form", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), (uuid, upper) => {
        expect(decode(upper ? uuid.toUpperCase() : uuid)).toBe(uuid.toLowerCase())
      }),
      runs
    )
  })
})

describe("isGuid", () => {
  it("accepts GUIDs in any case, and nothing around them", () => {
    expect(Ids.isGuid("a97459bf-e4c4-4d4f-94e4-b775f0f09f31")).toBe(true)
    expect(Ids.isGuid("A97459BF-E4C4-4D4F-94E4-B775F0F09F31")).toBe(true)
    expect(Ids.isGuid(" a97459bf-e4c4-4d4f-94e4-b775f0f09f31 ")).toBe(false)
  })

  it("refuses anything else", () => {
    expect(Ids.isGuid("a97459bfe4c44d4f94e4b775f0f09f31")).toBe(false)
    expect(Ids.isGuid("g97459bf-e4c4-4d4f-94e4-b775f0f09f31")).toBe(false)
    expect(Ids.isGuid("")).toBe(false)
  })
})
