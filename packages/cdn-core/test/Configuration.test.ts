import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import { Configuration } from "../src/index.js"

const ids = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0"
}
const rules = Schema.decodeUnknownEither(Configuration.CachePolicyInput)
const access = Schema.decodeUnknownEither(Configuration.AccessControlInput)
// What the client would put in InvalidInput: the issues' own messages.
const problem = (result: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.isLeft(result)
    ? ParseResult.ArrayFormatter.formatErrorSync(result.left)
        .map((issue) => issue.message)
        .join("; ")
    : ""

describe("Configuration: cache rules checked before sending", () => {
  it("valid rules of each type pass", () => {
    const ok = rules({
      ...ids,
      rules: [
        { type: "Dir", items: ["/img/"], ttl: 86400 },
        { type: "Suffix", items: ["jpg", "css"], ttl: 0 },
        { type: "FullUri", items: ["/index.html"], ttl: 60 }
      ]
    })
    expect(Either.isRight(ok)).toBe(true)
  })

  it.each([
    [{ type: "Dir", items: ["img/"], ttl: 1 }, "starts with /"],
    [{ type: "FullUri", items: ["index.html"], ttl: 1 }, "starts with /"],
    [{ type: "Suffix", items: [".jpg"], ttl: 1 }, "without a dot"],
    [{ type: "Dir", items: ["/a/*"], ttl: 1 }, "may not hold"],
    [{ type: "Dir", items: ["/a/"], ttl: 1.5 }, "whole number"],
    [{ type: "Dir", items: ["/a/"], ttl: -1 }, "whole number"],
    [{ type: "Regex", items: ["/a/"], ttl: 1 }, "one of Dir, Suffix, FullUri"]
  ])("%j is refused: %s", (rule, says) => {
    expect(problem(rules({ ...ids, rules: [rule] }))).toContain(says)
  })
})

describe("Configuration: access control checked before sending", () => {
  it("IPv4, IPv6, referers as URLs or host names, path patterns from /", () => {
    const ok = access({
      ...ids,
      forbiddenIps: ["10.0.0.1", "2001:db8::1"],
      refererControl: {
        enabled: true,
        type: "BlockList",
        referers: ["http://www.abc.com", "*.abc.com"],
        pathPatterns: ["/a.jpg"]
      }
    })
    expect(Either.isRight(ok)).toBe(true)
  })

  it.each([
    [{ forbiddenIps: ["10.0.0.300"] }, "IPv4 or IPv6"],
    [{ refererControl: { enabled: true, type: "AllowList", referers: ["not a referer"] } }, "http(s)://host"],
    [
      { refererControl: { enabled: true, type: "AllowList", referers: [], pathPatterns: ["a.jpg"] } },
      "must start with /"
    ],
    [{ refererControl: { enabled: true, type: "Allow", referers: [] } }, "one of AllowList, BlockList"]
  ])("%j is refused: %s", (input, says) => {
    expect(problem(access({ ...ids, ...input }))).toContain(says)
  })
})
