import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either } from "effect"
import { CdnConfig, Durations } from "../src/index.js"

const millis = (value: unknown) => Either.map(Durations.decode(value), Duration.toMillis)

describe("Durations: one syntax for flags, environment variables and options", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["2 seconds", 2_000],
    ["1.5 minutes", 90_000],
    ["250 millis", 250],
    ["1 day", 86_400_000],
    ["1m 30s", 90_000],
    [" 2S ", 2_000],
    ["1500", 1_500],
    [1500, 1_500],
    [0, 0]
  ] as const)("%s is %d ms", (text, expected) => {
    expect(millis(text)).toEqual(Either.right(expected))
  })

  it.each(["", "2x", "s", "two seconds", "-1s", "1s and", "Infinity"])("%j is refused with an example", (text) => {
    const read = Durations.decode(text)
    expect(Either.isLeft(read) && read.left).toMatch(/such as 500ms, 2s, 10m/)
  })

  it("a negative or non-finite number is refused; decodePositive refuses zero", () => {
    expect(Either.isLeft(Durations.decode(-5))).toBe(true)
    expect(Either.isLeft(Durations.decode(Number.NaN))).toBe(true)
    expect(Durations.decodePositive("0s")).toEqual(Either.left("must be more than 0, got 0s"))
  })

  it.effect("the environment reads the same syntax: AZURE_CDN_TIMEOUT=2s, AZURE_CDN_MAX_RETRY_TIME=1m30s", () =>
    Effect.gen(function* () {
      const config = yield* CdnConfig.config
      expect(Duration.toMillis(config.attemptTimeout)).toBe(2_000)
      expect(Duration.toMillis(config.retry.maxElapsed)).toBe(90_000)
    }).pipe(
      Effect.withConfigProvider(
        ConfigProvider.fromMap(
          new Map([
            ["AZURE_CDN_KEY_ID", "k"],
            ["AZURE_CDN_KEY_VALUE", "v"],
            ["AZURE_CDN_TIMEOUT", "2s"],
            ["AZURE_CDN_MAX_RETRY_TIME", "1m30s"]
          ])
        )
      )
    )
  )

  it("library options read it too, and a bad one is a configuration error naming the option", () => {
    const made = CdnConfig.make({ keyId: "k", keyValue: "v", attemptTimeout: "500ms", retry: { maxElapsed: 20_000 } })
    expect(Either.map(made, (config) => Duration.toMillis(config.attemptTimeout))).toEqual(Either.right(500))
    const bad = CdnConfig.make({ keyId: "k", keyValue: "v", retry: { maxElapsed: "soon" } })
    expect(Either.isLeft(bad) && CdnConfig.describeConfigError(bad.left)).toMatch(
      /^retry\.maxElapsed: must be a duration/
    )
  })
})
