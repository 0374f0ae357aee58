/**
 * Profiles: keys, base URLs and the default subscription and endpoint kept in `~/.config/azcdn/config.json` (or `$AZCDN_CONFIG`), by name. Flags and
 * environment variables win over a profile. A file that holds a key and that others can read gets a warning.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { bounded } from "@org/cdn-core/Errors"
import { Effect, Option, Schema } from "effect"
import { UsageError } from "./CliErrors.js"
import { remember } from "./Secrets.js"
import * as Stderr from "./Stderr.js"

/** One profile. */
export const Profile = Schema.Struct({
  keyId: Schema.optional(Schema.String),
  /** The key value itself: the file must then be readable by its owner alone. */
  keyValue: Schema.optional(Schema.String),
  /** Or a file holding it. */
  keyValueFile: Schema.optional(Schema.String),
  baseUrl: Schema.optional(Schema.String),
  /** The subscription and the endpoint (its GUID or custom domain) a command uses when none is given. */
  subscription: Schema.optional(Schema.String),
  endpoint: Schema.optional(Schema.String)
})
export type Profile = typeof Profile.Type

/** The file: `{"profiles": {"name": {...}}}`. */
export const ConfigFile = Schema.Struct({
  profiles: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Profile }), { default: () => ({}) })
})
export type ConfigFile = typeof ConfigFile.Type

/** Where the profiles are: `$AZCDN_CONFIG`, else `$XDG_CONFIG_HOME/azcdn/config.json`, else `~/.config/azcdn/config.json`. */
export const configPath = (): string =>
  process.env.AZCDN_CONFIG ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "azcdn", "config.json")

const decode = Schema.decodeUnknownEither(Schema.parseJson(ConfigFile))

/** The file's profiles; an absent file has none. */
export const readFile = (path: string): Effect.Effect<ConfigFile, UsageError> =>
  Effect.suspend(() => {
    let text: string
    try {
      text = readFileSync(path, "utf8")
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return Effect.succeed({ profiles: {} })
      return Effect.fail(new UsageError({ message: `cannot read the profiles in ${bounded(path, 200)}` }))
    }
    const parsed = decode(text)
    return parsed._tag === "Right"
      ? Effect.succeed(parsed.right)
      : Effect.fail(
          new UsageError({
            message: `${bounded(path, 200)} is not a profiles file ({"profiles": {"name": {"keyId", …}}})`
          })
        )
  })

// Only the owner may read a file that holds a key.
const warnIfOthersCanRead = (path: string, profile: Profile): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (profile.keyValue === undefined) return Effect.void
    const mode = statSync(path, { throwIfNoEntry: false })?.mode
    if (mode === undefined || (mode & 0o077) === 0) return Effect.void
    const octal = (mode & 0o777).toString(8).padStart(3, "0")
    return Stderr.line(`azcdn: warning: ${path} holds a key and others can read it (mode ${octal}): chmod 600 ${path}`)
  })

/**
 * The profile to use: `--profile`, else `$AZCDN_PROFILE`, else `default` when the file has one. A profile named
 * but absent is a usage error; none at all is fine (flags and the environment may say everything).
 */
export const selected = (name: Option.Option<string>): Effect.Effect<Option.Option<Profile>, UsageError> =>
  Effect.gen(function* () {
    const asked = Option.orElse(name, () => Option.fromNullable(process.env.AZCDN_PROFILE))
    const path = configPath()
    const file = yield* readFile(path)
    const wanted = Option.getOrElse(asked, () => "default")
    const profile = file.profiles[wanted]
    if (profile === undefined) {
      if (Option.isNone(asked)) return Option.none()
      const known = Object.keys(file.profiles)
      return yield* new UsageError({
        message: `no profile ${bounded(wanted, 80)} in ${path}${known.length === 0 ? " (run azcdn configure)" : ` (profiles: ${known.join(", ")})`}`
      })
    }
    if (profile.keyValue !== undefined) remember(profile.keyValue)
    yield* warnIfOthersCanRead(path, profile)
    return Option.some(profile)
  })

/** Writes `profile` under `name`, keeping the others; the file readable by its owner alone. */
export const write = (name: string, profile: Profile): Effect.Effect<string, UsageError> =>
  Effect.gen(function* () {
    const path = configPath()
    const file = yield* readFile(path)
    const next: ConfigFile = { profiles: { ...file.profiles, [name]: profile } }
    return yield* Effect.try({
      try: () => {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
        // Written aside then renamed: a reader never sees half a file, and the key never sits in a readable one.
        const temporary = `${path}.${process.pid}.tmp`
        writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 })
        chmodSync(temporary, 0o600)
        renameSync(temporary, path)
        return path
      },
      catch: () => new UsageError({ message: `cannot write the profiles to ${bounded(path, 200)}` })
    })
  })
