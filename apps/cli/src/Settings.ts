/**
 * Settings from flags over the environment: the key (Redacted from the moment it is read) and the client's config.
 */
import { text } from "node:stream/consumers"
import { FileSystem } from "@effect/platform/FileSystem"
import * as CdnConfig from "@org/cdn-core/CdnConfig"
import * as Durations from "@org/cdn-core/Durations"
import { bounded } from "@org/cdn-core/Errors"
import * as EmulatorOptions from "@org/cdn-emulator/EmulatorOptions"
import { Config, type ConfigError, ConfigProvider, Duration, Effect, Either, Option, Redacted } from "effect"
import { UsageError } from "./CliErrors.js"
import type { GlobalFlags } from "./GlobalOptions.js"
import * as Profiles from "./Profiles.js"
import { remember } from "./Secrets.js"
import { version } from "./Version.js"

/** An API key: its ID and its value, which stays Redacted until the HMAC. */
export interface Key {
  readonly id: string
  readonly value: Redacted.Redacted<string>
}

// The user-facing names of what the core's config checks.
const sources: Record<string, string> = {
  baseUrl: "--base-url / AZURE_CDN_BASE_URL",
  keyId: "--key-id / AZURE_CDN_KEY_ID",
  keyValue: "the key value",
  "retry.maxAttempts": "AZURE_CDN_MAX_ATTEMPTS"
}

const usage = (error: ConfigError.ConfigError) =>
  new UsageError({ message: CdnConfig.describeConfigError(error, sources) })

// Flags win over env, env over the profile: each as the variables it stands for, in that order.
const providerOf = (
  flags: GlobalFlags,
  profile: Option.Option<Profiles.Profile>,
  more: ReadonlyArray<readonly [string, Option.Option<string>]> = []
): ConfigProvider.ConfigProvider => {
  const given = new Map<string, string>()
  if (Option.isSome(flags.baseUrl)) given.set("AZURE_CDN_BASE_URL", flags.baseUrl.value)
  if (Option.isSome(flags.keyId)) given.set("AZURE_CDN_KEY_ID", flags.keyId.value)
  for (const [variable, flag] of more) if (Option.isSome(flag)) given.set(variable, flag.value)
  const saved = new Map<string, string>()
  if (Option.isSome(profile)) {
    const { keyId, keyValue, baseUrl, subscription, endpoint } = profile.value
    if (keyId !== undefined) saved.set("AZURE_CDN_KEY_ID", keyId)
    if (keyValue !== undefined) saved.set("AZURE_CDN_KEY_VALUE", keyValue)
    if (baseUrl !== undefined) saved.set("AZURE_CDN_BASE_URL", baseUrl)
    if (subscription !== undefined) saved.set(refVariables.subscription, subscription)
    if (endpoint !== undefined) saved.set(refVariables.endpoint, endpoint)
  }
  return ConfigProvider.fromMap(given).pipe(
    ConfigProvider.orElse(() => ConfigProvider.fromEnv()),
    ConfigProvider.orElse(() => ConfigProvider.fromMap(saved))
  )
}

// An empty variable counts as unset.
const optionalText = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((value) => value.trim() !== "")))

// The profile is read once per run: its file and its warning once.
let selectedProfile: Option.Option<Profiles.Profile> | undefined

/** Forgets the profile read (a new run reads it again). */
export const forgetProfile = (): void => {
  selectedProfile = undefined
}
const profileOf = (flags: GlobalFlags): Effect.Effect<Option.Option<Profiles.Profile>, UsageError> =>
  Effect.suspend(() =>
    selectedProfile !== undefined
      ? Effect.succeed(selectedProfile)
      : Effect.map(Profiles.selected(flags.profile), (profile) => {
          selectedProfile = profile
          return profile
        })
  )

const read = <A>(
  flags: GlobalFlags,
  config: Config.Config<A>,
  more?: ReadonlyArray<readonly [string, Option.Option<string>]>
): Effect.Effect<A, UsageError> =>
  Effect.flatMap(profileOf(flags), (profile) =>
    Effect.withConfigProvider(config, providerOf(flags, profile, more)).pipe(Effect.mapError(usage))
  )

/** The variables that give a command's subscription and endpoint when no flag does. */
export const refVariables = { subscription: "AZURE_CDN_SUBSCRIPTION_ID", endpoint: "AZURE_CDN_ENDPOINT_ID" } as const

/** A subscription or endpoint: the flag, else its variable, else the profile's; none when none says it. */
export const refSetting = (
  flags: GlobalFlags,
  which: keyof typeof refVariables,
  flag: Option.Option<string>
): Effect.Effect<Option.Option<string>, UsageError> =>
  read(flags, optionalText(refVariables[which]), [[refVariables[which], flag]])

// A key file usually ends with a newline that is not part of the key.
const keyFromText = (content: string, from: string): Effect.Effect<Redacted.Redacted<string>, UsageError> => {
  const value = Redacted.make(content.replace(/[\r\n]+$/, ""))
  // From now on no output may show it.
  remember(Redacted.value(value))
  return Redacted.value(value) === ""
    ? Effect.fail(new UsageError({ message: `the key value read from ${from} is empty` }))
    : Effect.succeed(value)
}

const readStdin = Effect.tryPromise({
  try: () => {
    if (process.stdin.isTTY) process.stderr.write("azcdn: reading the key value from stdin (end with Ctrl-D)\n")
    return text(process.stdin)
  },
  catch: (error) => new UsageError({ message: `cannot read the key value from stdin: ${String(error)}` })
})

/** Reads a key value from a file, or from stdin for `-`. */
const readKeyFile = (path: string): Effect.Effect<Redacted.Redacted<string>, UsageError, FileSystem> =>
  path === "-"
    ? Effect.flatMap(readStdin, (content) => keyFromText(content, "stdin"))
    : FileSystem.pipe(
        Effect.flatMap((fs) => fs.readFileString(path)),
        // The path is named (a key given where a path belongs is masked by the scrubber), the reason in words.
        Effect.mapError(
          (error) =>
            new UsageError({
              message: `cannot read the key value file ${bounded(path, 200)}: ${error._tag === "SystemError" ? error.reason : "unreadable"}`
            })
        ),
        Effect.flatMap((content) => keyFromText(content, path))
      )

/** The key value: `--key-value`, else `--key-value-file`, else `AZURE_CDN_KEY_VALUE`. */
const keyValueOf = (
  flags: GlobalFlags
): Effect.Effect<Option.Option<Redacted.Redacted<string>>, UsageError, FileSystem> => {
  if (Option.isSome(flags.keyValue) && Option.isSome(flags.keyValueFile)) {
    return Effect.fail(
      new UsageError({ message: "give the key value once: --key-value or --key-value-file, not both" })
    )
  }
  if (Option.isSome(flags.keyValue)) return Effect.succeed(flags.keyValue)
  if (Option.isSome(flags.keyValueFile)) return Effect.asSome(readKeyFile(flags.keyValueFile.value))
  // AZURE_CDN_KEY_VALUE, else the profile's keyValue, else the profile's keyValueFile.
  return read(flags, Config.option(Config.redacted("AZURE_CDN_KEY_VALUE"))).pipe(
    Effect.map(Option.filter((value) => Redacted.value(value) !== "")),
    Effect.flatMap((value) =>
      Option.isSome(value)
        ? Effect.succeed(value)
        : Effect.flatMap(profileOf(flags), (profile) => {
            const file = Option.flatMap(profile, (p) => Option.fromNullable(p.keyValueFile))
            return Option.isSome(file) ? Effect.asSome(readKeyFile(file.value)) : Effect.succeedNone
          })
    )
  )
}

// Each part from where it is given; read once, since stdin can be read only once.
const keyParts = (flags: GlobalFlags) =>
  Effect.all({ id: read(flags, optionalText("AZURE_CDN_KEY_ID")), value: keyValueOf(flags) })

const missing = (message: string) => Effect.fail(new UsageError({ message }))

/** The key, or none when neither part is given; half a key is a usage error. */
const configuredKey = (flags: GlobalFlags): Effect.Effect<Option.Option<Key>, UsageError, FileSystem> =>
  Effect.flatMap(keyParts(flags), ({ id, value }) => {
    if (Option.isNone(id) && Option.isNone(value)) return Effect.succeedNone
    if (Option.isNone(id)) return missing("missing the key ID: pass --key-id or set AZURE_CDN_KEY_ID")
    if (Option.isNone(value)) {
      return missing("missing the key value: pass --key-value-file or --key-value, or set AZURE_CDN_KEY_VALUE")
    }
    return Effect.succeedSome({ id: id.value.trim(), value: value.value })
  })

/** The key, which the command cannot do without. */
export const requiredKey = (flags: GlobalFlags): Effect.Effect<Key, UsageError, FileSystem> =>
  Effect.flatMap(
    configuredKey(flags),
    Option.match({
      onSome: Effect.succeed,
      onNone: () =>
        missing(
          "missing credentials: pass --key-id and --key-value-file (or --key-value), or set AZURE_CDN_KEY_ID and AZURE_CDN_KEY_VALUE; or add --emulator to try the embedded emulator"
        )
    })
  )

/** The key if one is configured, else `fallback` (the emulator's demo key). */
export const keyOr = (flags: GlobalFlags, fallback: Key): Effect.Effect<Key, UsageError, FileSystem> =>
  Effect.map(
    configuredKey(flags),
    Option.getOrElse(() => fallback)
  )

/** The emulator's demo key, for `--emulator` when no key is configured. */
export const demoKey: Key = { id: EmulatorOptions.demoKey.id, value: Redacted.make(EmulatorOptions.demoKey.value) }

/** The key a command uses: the configured one, or with `--emulator` the demo key when none is configured. */
export const keyFor = (flags: GlobalFlags): Effect.Effect<Key, UsageError, FileSystem> =>
  flags.emulator ? keyOr(flags, demoKey) : requiredKey(flags)

/** How long one command's call may take, across all its attempts, unless told otherwise. */
export const defaultDeadline = Duration.seconds(60)

/** The client's settings: the base URL (unless given), the key, and the core's timeout and retry variables. */
export const cdnConfig = (
  flags: GlobalFlags,
  key: Key,
  baseUrl?: string,
  deadline: Option.Option<Duration.Duration> = Option.none()
): Effect.Effect<CdnConfig.CdnConfigShape, UsageError> =>
  Effect.gen(function* () {
    const env = yield* read(
      flags,
      Config.all({
        baseUrl: optionalText("AZURE_CDN_BASE_URL"),
        attemptTimeout: Config.option(Durations.config("AZURE_CDN_TIMEOUT", { positive: true })),
        maxAttempts: Config.option(Config.integer("AZURE_CDN_MAX_ATTEMPTS")),
        maxElapsed: Config.option(Durations.config("AZURE_CDN_MAX_RETRY_TIME"))
      })
    )
    const config = CdnConfig.make({
      keyId: key.id,
      keyValue: key.value,
      baseUrl: baseUrl ?? Option.getOrElse(env.baseUrl, () => CdnConfig.defaultBaseUrl),
      ...Option.match(env.attemptTimeout, { onNone: () => ({}), onSome: (attemptTimeout) => ({ attemptTimeout }) }),
      retry: {
        ...Option.match(env.maxAttempts, { onNone: () => ({}), onSome: (maxAttempts) => ({ maxAttempts }) }),
        // A call's deadline: --timeout, else AZURE_CDN_MAX_RETRY_TIME, else a minute.
        maxElapsed: Option.getOrElse(
          Option.orElse(deadline, () => env.maxElapsed),
          () => defaultDeadline
        )
      }
    })
    // Every request says who sends it: this CLI, the library, the runtime.
    const userAgent = CdnConfig.userAgent({ before: `azcdn/${version}`, after: `node/${process.versions.node}` })
    return yield* Either.mapBoth(config, { onLeft: usage, onRight: (settings) => ({ ...settings, userAgent }) })
  })
