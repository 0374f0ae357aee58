import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either, Schema } from "effect"
import * as Operation from "../src/Operation.js"

// The seed document's "request succeeded" example (seeds/operation-get.txt).
const seed = {
  Id: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31",
  Type: "Purge",
  Status: "Succeeded",
  Message: null,
  Start: "2017-05-02T06:34:07.869Z",
  End: "2017-05-02T06:44:07.869Z",
  EndpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  SubscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9"
}

const decode = Schema.decodeUnknownSync(Operation.Operation)
const decodeEither = Schema.decodeUnknownEither(Operation.Operation)
const encode = Schema.encodeSync(Operation.Operation)

describe("Operation", () => {
  it("decodes the seed JSON into camelCase fields", () => {
    const operation = decode(JSON.parse(JSON.stringify(seed)))
    expect(operation.id).toBe("a97459bf-e4c4-4d4f-94e4-b775f0f09f31")
    expect(operation.type).toBe("Purge")
    expect(operation.status).toBe("Succeeded")
    expect(operation.message).toBeNull()
    expect(DateTime.formatIso(operation.start)).toBe("2017-05-02T06:34:07.869Z")
    expect(operation.end === null ? null : DateTime.formatIso(operation.end)).toBe("2017-05-02T06:44:07.869Z")
    expect(operation.endpointId).toBe("46fecf3c-e874-49aa-891d-0d4dc93213e0")
    expect(operation.subscriptionId).toBe("5dd0413d-a2f9-442a-b836-128d87753fa9")
  })

  it("accepts the API description's spelling Succeed as Succeeded", () => {
    expect(decode({ ...seed, Status: "Succeed" }).status).toBe("Succeeded")
  })

  it("decodes every documented status", () => {
    for (const status of ["NotSet", "Processing", "Succeeded", "Failed"] as const) {
      expect(decode({ ...seed, Status: status }).status).toBe(status)
    }
  })

  it("keeps a status that is not documented as the service sent it; it ends a wait but is not terminal", () => {
    const operation = decode({ ...seed, Status: "Cancelled" })
    expect(operation.status).toBe("Cancelled")
    expect(Operation.isUndocumented(operation.status)).toBe(true)
    expect(Operation.endsWait(operation.status)).toBe(true)
    expect(Operation.isTerminal(operation.status)).toBe(false)
    expect(Operation.endsWait("Processing")).toBe(false)
    // A status that is not a string at all is still refused.
    expect(Either.isLeft(decodeEither({ ...seed, Status: 3 }))).toBe(true)
  })

  it("decodes an operation type it does not know", () => {
    expect(decode({ ...seed, Type: "Rollback" }).type).toBe("Rollback")
  })

  it("decodes End null and End absent, while processing, as null", () => {
    const { End: _end, ...withoutEnd } = seed
    expect(decode({ ...seed, Status: "Processing", End: null }).end).toBeNull()
    expect(decode({ ...withoutEnd, Status: "Processing" }).end).toBeNull()
  })

  it("decodes a message, and an absent message as null", () => {
    const { Message: _message, ...withoutMessage } = seed
    expect(decode({ ...seed, Status: "Failed", Message: "origin unreachable" }).message).toBe("origin unreachable")
    expect(decode(withoutMessage).message).toBeNull()
  })

  it("lower-cases upper-case IDs in the body", () => {
    const operation = decode({ ...seed, Id: seed.Id.toUpperCase(), EndpointId: seed.EndpointId.toUpperCase() })
    expect(operation.id).toBe(seed.Id)
    expect(operation.endpointId).toBe(seed.EndpointId)
  })

  it("refuses a body whose dates are not dates", () => {
    expect(Either.isLeft(decodeEither({ ...seed, Start: "yesterday" }))).toBe(true)
  })

  it("encodes back to the service's PascalCase shape with ISO dates", () => {
    expect(encode(decode(seed))).toEqual(seed)
  })

  it("encodes a Succeed it read as Succeeded", () => {
    expect(encode(decode({ ...seed, Status: "Succeed" })).Status).toBe("Succeeded")
  })

  it("encodes a missing End as null", () => {
    const { End: _end, ...withoutEnd } = seed
    expect(encode(decode({ ...withoutEnd, Status: "Processing" })).End).toBeNull()
  })
})

describe("isTerminal", () => {
  it("is true only for Succeeded and Failed", () => {
    expect(Operation.isTerminal("Succeeded")).toBe(true)
    expect(Operation.isTerminal("Failed")).toBe(true)
    expect(Operation.isTerminal("Processing")).toBe(false)
    expect(Operation.isTerminal("NotSet")).toBe(false)
  })
})
