import { Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import * as Tokens from "../src/Tokens.js"

const ci = "ci-token-0123456789abcdef"
const ops = "ops-token-0123456789abcdef"
const parsed = Tokens.parse(
  Redacted.make(
    JSON.stringify([
      { name: "ci", token: ci },
      { name: "ops", token: ops, permissions: ["read", "purge"] }
    ])
  )
)
if (Either.isLeft(parsed)) throw new Error(parsed.left)
const tokens = parsed.right

const nameOf = (outcome: Either.Either<Tokens.Caller, Tokens.Refusal>) =>
  Either.match(outcome, { onLeft: (refusal) => `refused: ${refusal}`, onRight: (caller) => caller.name })

describe("the authenticator that remembers accepted headers", () => {
  it("lets the same header in again and again as the same caller, and tells two tokens apart", () => {
    const authenticate = Tokens.authenticator(tokens)
    for (let i = 0; i < 3; i++) {
      expect(nameOf(authenticate(`Bearer ${ci}`))).toBe("ci")
      expect(nameOf(authenticate(`Bearer ${ops}`))).toBe("ops")
    }
    // Another spelling of the scheme is the same token.
    expect(nameOf(authenticate(`bearer ${ops}`))).toBe("ops")
  })

  it("refuses a wrong token every time, also one a character away from an accepted header", () => {
    const authenticate = Tokens.authenticator(tokens)
    expect(nameOf(authenticate(`Bearer ${ci}`))).toBe("ci")
    for (let i = 0; i < 3; i++) {
      expect(nameOf(authenticate(`Bearer ${ci.slice(0, -1)}x`))).toBe("refused: unknown")
      expect(nameOf(authenticate(`Bearer ${ci}x`))).toBe("refused: unknown")
      expect(nameOf(authenticate(`Basic ${ci}`))).toBe("refused: malformed")
      expect(nameOf(authenticate(undefined))).toBe("refused: missing")
    }
  })

  it("stays right when its memory fills and starts again", () => {
    const authenticate = Tokens.authenticator(tokens, 2)
    const spellings = [`Bearer ${ci}`, `BEARER ${ci}`, `bearer ${ci}`, `Bearer ${ci} `, `Bearer ${ops}`]
    for (let round = 0; round < 2; round++) {
      expect(spellings.map((header) => nameOf(authenticate(header)))).toEqual(["ci", "ci", "ci", "ci", "ops"])
      expect(nameOf(authenticate(`Bearer ${ops}-not`))).toBe("refused: unknown")
    }
  })
})
