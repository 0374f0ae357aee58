import { describe, expect, it } from "@effect/vitest"
import { type ConfigError, ConfigProvider, Duration, Effect, Either, Redacted } from "effect"
import * as CdnConfig from "../src/CdnConfig.js"

const secret = "s3cr3t-key-value"

// make's error, or a failure of the test when it accepted the input.
const refusal = (input: CdnConfig.CdnConfigInput): ConfigError.ConfigError => {
  const result = CdnConfig.make(input)
  if (Either.isRight(result)) throw new Error("expected the input to be refused")
  return result.left
}

// Reads the config through the fromEnv layer, from the given variables only.
const fromVariables = (variables: Record<string, string>) =>
  CdnConfig.CdnConfig.pipe(
    Effect.provide(CdnConfig.fromEnv),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))
  )

describe("make", () => {
  it("fills in the defaults around the key", () => {
    const config = Either.getOrThrow(CdnConfig.make({ keyId: "key-id", keyValue: secret }))
    expect(config.baseUrl).toBe("https://restapi.cdn.azure.cn")
    expect(config.keyId).toBe("key-id")
    expect(Redacted.value(config.keyValue)).toBe(secret)
    expect(Duration.toMillis(config.attemptTimeout)).toBe(10_000)
    expect(config.retry.maxAttempts).toBe(4)
    expect(Duration.toMillis(config.retry.maxElapsed)).toBe(30_000)
    expect(Duration.toMillis(config.retry.baseDelay)).toBe(200)
    expect(Duration.toMillis(config.retry.maxDelay)).toBe(5_000)
  })

  it("takes overrides, durations in any Effect form", () => {
    const config = Either.getOrThrow(
      CdnConfig.make({
        keyId: " key-id ",
        keyValue: Redacted.make(secret),
        baseUrl: "http://localhost:8080/",
        attemptTimeout: "3 seconds",
        retry: { maxAttempts: 1, maxElapsed: 1500, baseDelay: Duration.millis(50), maxDelay: "1 second" }
      })
    )
    // A trailing slash is dropped so that paths can be appended; the key ID is trimmed.
    expect(config.baseUrl).toBe("http://localhost:8080")
    expect(config.keyId).toBe("key-id")
    expect(Redacted.value(config.keyValue)).toBe(secret)
    expect(Duration.toMillis(config.attemptTimeout)).toBe(3_000)
    expect(config.retry.maxAttempts).toBe(1)
    expect(Duration.toMillis(config.retry.maxElapsed)).toBe(1_500)
    expect(Duration.toMillis(config.retry.baseDelay)).toBe(50)
    expect(Duration.toMillis(config.retry.maxDelay)).toBe(1_000)
  })

  it("keeps a path prefix of the base URL", () => {
    const config = Either.getOrThrow(
      CdnConfig.make({ keyId: "k", keyValue: "v", baseUrl: "https://proxy.example/cdn/" })
    )
    expect(config.baseUrl).toBe("https://proxy.example/cdn")
  })

  it.each([
    ["not a url", "must be a URL"],
    ["ftp://restapi.cdn.azure.cn", "http(s)"],
    ["https://restapi.cdn.azure.cn?apiVersion=1.0", "query"]
  ])("refuses the base URL %j, naming the field", (baseUrl, why) => {
    const error = refusal({ keyId: "k", keyValue: "v", baseUrl })
    expect(error).toMatchObject({ _op: "InvalidData", path: ["baseUrl"] })
    expect(String(error)).toContain("baseUrl")
    expect(String(error)).toContain(why)
  })

  it("refuses an empty key ID or key value, naming the field", () => {
    expect(refusal({ keyId: "  ", keyValue: "v" })).toMatchObject({ _op: "InvalidData", path: ["keyId"] })
    expect(refusal({ keyId: "k", keyValue: "" })).toMatchObject({ _op: "InvalidData", path: ["keyValue"] })
    expect(refusal({ keyId: "k", keyValue: Redacted.make("") })).toMatchObject({ path: ["keyValue"] })
  })

  it("refuses fewer than one attempt, or a fraction of one", () => {
    expect(String(refusal({ keyId: "k", keyValue: "v", retry: { maxAttempts: 0 } }))).toContain("maxAttempts")
    expect(String(refusal({ keyId: "k", keyValue: "v", retry: { maxAttempts: 1.5 } }))).toContain("maxAttempts")
  })

  it.effect("makes a layer, which fails with the ConfigError", () =>
    Effect.gen(function* () {
      const config = yield* CdnConfig.CdnConfig.pipe(Effect.provide(CdnConfig.layer({ keyId: "k", keyValue: "v" })))
      expect(config.keyId).toBe("k")
      const error = yield* CdnConfig.CdnConfig.pipe(
        Effect.provide(CdnConfig.layer({ keyId: "k", keyValue: "v", baseUrl: "nope" })),
        Effect.flip
      )
      expect(error).toMatchObject({ _op: "InvalidData", path: ["baseUrl"] })
    })
  )
})

describe("fromEnv", () => {
  it.effect("reads every AZURE_CDN_* variable", () =>
    Effect.gen(function* () {
      const config = yield* fromVariables({
        AZURE_CDN_BASE_URL: "http://localhost:8080/",
        AZURE_CDN_KEY_ID: "key-id",
        AZURE_CDN_KEY_VALUE: secret,
        AZURE_CDN_TIMEOUT: "5 seconds",
        AZURE_CDN_MAX_ATTEMPTS: "7",
        AZURE_CDN_MAX_RETRY_TIME: "1 minute"
      })
      expect(config.baseUrl).toBe("http://localhost:8080")
      expect(config.keyId).toBe("key-id")
      expect(Redacted.value(config.keyValue)).toBe(secret)
      expect(Duration.toMillis(config.attemptTimeout)).toBe(5_000)
      expect(config.retry.maxAttempts).toBe(7)
      expect(Duration.toMillis(config.retry.maxElapsed)).toBe(60_000)
      // Not configurable from the environment: the defaults stay.
      expect(Duration.toMillis(config.retry.baseDelay)).toBe(200)
      expect(Duration.toMillis(config.retry.maxDelay)).toBe(5_000)
    })
  )

  it.effect("needs only the key, and fills in the same defaults as make", () =>
    Effect.gen(function* () {
      const config = yield* fromVariables({ AZURE_CDN_KEY_ID: "key-id", AZURE_CDN_KEY_VALUE: secret })
      const made = Either.getOrThrow(CdnConfig.make({ keyId: "key-id", keyValue: secret }))
      expect({ ...config, keyValue: Redacted.value(config.keyValue) }).toEqual({
        ...made,
        keyValue: Redacted.value(made.keyValue)
      })
    })
  )

  it.effect("fails naming AZURE_CDN_KEY_ID when it is missing", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(fromVariables({ AZURE_CDN_KEY_VALUE: secret }))
      expect(String(error)).toContain("AZURE_CDN_KEY_ID")
    })
  )

  it.effect("trims AZURE_CDN_KEY_ID, and refuses one of spaces naming the variable", () =>
    Effect.gen(function* () {
      const read = yield* fromVariables({ AZURE_CDN_KEY_ID: " k ", AZURE_CDN_KEY_VALUE: secret })
      expect(read.keyId).toBe("k")
      const error = yield* Effect.flip(fromVariables({ AZURE_CDN_KEY_ID: "   ", AZURE_CDN_KEY_VALUE: secret }))
      expect(String(error)).toContain("AZURE_CDN_KEY_ID")
    })
  )

  it.effect("fails naming AZURE_CDN_KEY_VALUE when it is missing or empty, without a value in the message", () =>
    Effect.gen(function* () {
      for (const variables of [{ AZURE_CDN_KEY_ID: "k" }, { AZURE_CDN_KEY_ID: "k", AZURE_CDN_KEY_VALUE: "" }]) {
        const error = yield* Effect.flip(fromVariables(variables))
        expect(String(error)).toContain("AZURE_CDN_KEY_VALUE")
      }
    })
  )

  it.effect("fails naming AZURE_CDN_BASE_URL when it is not a URL", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        fromVariables({ AZURE_CDN_KEY_ID: "k", AZURE_CDN_KEY_VALUE: secret, AZURE_CDN_BASE_URL: "restapi" })
      )
      expect(String(error)).toContain("AZURE_CDN_BASE_URL")
    })
  )

  it.effect("fails naming AZURE_CDN_MAX_ATTEMPTS when it is below one", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        fromVariables({ AZURE_CDN_KEY_ID: "k", AZURE_CDN_KEY_VALUE: secret, AZURE_CDN_MAX_ATTEMPTS: "0" })
      )
      expect(String(error)).toContain("AZURE_CDN_MAX_ATTEMPTS")
      expect(String(error)).toContain(">= 1")
    })
  )

  it.effect("fails naming AZURE_CDN_TIMEOUT when it is not a duration", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        fromVariables({ AZURE_CDN_KEY_ID: "k", AZURE_CDN_KEY_VALUE: secret, AZURE_CDN_TIMEOUT: "soon" })
      )
      expect(String(error)).toContain("AZURE_CDN_TIMEOUT")
    })
  )

  it.effect("keeps the key value redacted when printed or serialised", () =>
    Effect.gen(function* () {
      const config = yield* fromVariables({ AZURE_CDN_KEY_ID: "key-id", AZURE_CDN_KEY_VALUE: secret })
      expect(Redacted.isRedacted(config.keyValue)).toBe(true)
      expect(String(config.keyValue)).not.toContain(secret)
      expect(JSON.stringify(config)).not.toContain(secret)
      expect(`${config.keyValue}`).not.toContain(secret)
    })
  )
})
