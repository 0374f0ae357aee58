/**
 * The API key's value from `AZURE_CDN_KEY_VALUE` or `AZURE_CDN_KEY_VALUE_FILE` (a mounted Secret). From a file, the
 * signer follows the file: a new value signs the next attempt, an empty file keeps the old one (see `SecretFile`).
 * The value is Redacted from the moment it is read.
 */
import { CdnConfig, Signer } from "@org/cdn-core"
import { Config, ConfigError, ConfigProvider, Effect, Either, Layer, Option, Redacted } from "effect"
import type * as JsonLog from "./JsonLog.js"
import * as SecretFile from "./SecretFile.js"

const variable = "AZURE_CDN_KEY_VALUE_FILE"

// A key file usually ends with a newline that is not part of the key.
const withoutNewline = (text: string): string => text.replace(/[\r\n]+$/, "")

const keyOf = (text: string): Either.Either<Redacted.Redacted<string>, string> => {
  const value = withoutNewline(text)
  return value === "" ? Either.left("the file is empty") : Either.right(Redacted.make(value))
}

/** Where the key file is and the text first read; none when the key comes from `AZURE_CDN_KEY_VALUE`. */
export const source: Effect.Effect<
  { readonly path: string; readonly text: string } | undefined,
  ConfigError.ConfigError
> = Effect.gen(function* () {
  const path = yield* Config.option(Config.nonEmptyString(variable))
  if (Option.isNone(path)) return undefined
  if (Option.isSome(yield* Config.option(Config.string("AZURE_CDN_KEY_VALUE")))) {
    return yield* Effect.fail(
      ConfigError.InvalidData(
        [variable],
        "give the key value once: AZURE_CDN_KEY_VALUE or AZURE_CDN_KEY_VALUE_FILE, not both"
      )
    )
  }
  const text = SecretFile.readText(path.value)
  if (Either.isLeft(text)) {
    return yield* Effect.fail(ConfigError.InvalidData([variable], `cannot read ${path.value} (${text.left})`))
  }
  if (Either.isLeft(keyOf(text.right))) {
    return yield* Effect.fail(ConfigError.InvalidData([variable], `${path.value} is empty`))
  }
  return { path: path.value, text: text.right }
})

/** cdn-core's config, its key from the file when `AZURE_CDN_KEY_VALUE_FILE` names one. */
export const cdnConfig = Effect.flatMap(source, (file) =>
  file === undefined
    ? CdnConfig.config
    : Effect.withConfigProvider(
        CdnConfig.config,
        ConfigProvider.orElse(
          ConfigProvider.fromMap(new Map([["AZURE_CDN_KEY_VALUE", withoutNewline(file.text)]])),
          () => ConfigProvider.fromEnv()
        )
      )
)

/** The signer: cdn-core's, made again from the file's new value whenever it changes. */
export const signer: Layer.Layer<Signer.Signer, ConfigError.ConfigError, CdnConfig.CdnConfig | JsonLog.JsonLog> =
  Layer.scoped(
    Signer.Signer,
    Effect.gen(function* () {
      const config = yield* CdnConfig.CdnConfig
      const signerFor = (keyValue: Redacted.Redacted<string>) =>
        Effect.runSync(Effect.provideService(Signer.make, CdnConfig.CdnConfig, { ...config, keyValue }))
      const file = yield* source
      // From a file, the key of this very read: the watch below starts from its text, so a change made since the
      // config's read is not taken for the current key.
      let current = signerFor(
        file === undefined ? config.keyValue : Either.getOrElse(keyOf(file.text), () => config.keyValue)
      )
      if (file !== undefined) {
        yield* SecretFile.watch({
          secret: "key",
          path: file.path,
          first: file.text,
          parse: keyOf,
          apply: (keyValue) => {
            current = signerFor(keyValue)
          }
        })
      }
      return Signer.Signer.make({
        sign: (attempt, now) => current.sign(attempt, now),
        learnServerTime: (serverDate, now) => current.learnServerTime(serverDate, now)
      })
    })
  )
