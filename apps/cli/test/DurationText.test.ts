import { Duration, Either } from "effect"
import { describe, expect, it } from "vitest"
import { formatElapsed, parse } from "../src/DurationText.js"

describe("DurationText", () => {
  it.each([
    ["2s", 2_000],
    ["500ms", 500],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1_500],
    [" 2s ", 2_000],
    ["2 seconds", 2_000],
    ["2 s", 2_000],
    ["1500", 1_500]
  ])("reads %j (cdn-core's one duration syntax)", (text, millis) => {
    expect(Either.map(parse(text), Duration.toMillis)).toEqual(Either.right(millis))
  })

  it.each(["", "soon", "-1s", "2x", "0s", "0"])("refuses %j with a message", (text) => {
    expect(Either.isLeft(parse(text))).toBe(true)
  })

  it("formats elapsed time for progress lines", () => {
    expect([999, 45_000, 125_000, 3_725_000].map(formatElapsed)).toEqual(["0s", "45s", "2m05s", "1h02m"])
  })
})
