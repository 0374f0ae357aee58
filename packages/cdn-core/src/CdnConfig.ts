/**
 * Where the service is and how to reach it: base URL, key, timeouts and retry limits.
 */
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Redacted } from "effect"
import type { DurationText } from "./Durations.js"
import * as Durations from "./Durations.js"
import { bounded } from "./Errors.js"
import { version } from "./Version.js"

/** The production host. */
export const defaultBaseUrl = "https://restapi.cdn.azure.cn"

/** How many attempts a call may make, and for how long in all. */
export interface RetryLimits {
  /** Attempts in all, the first included. 1 turns retries off. */
  readonly maxAttempts: number
  /** No retry starts once this much time (the coming delay included) has passed since the first failure. */
  readonly maxElapsed: Duration.Duration
  /** The first backoff delay; each next one doubles, with jitter. */
  readonly baseDelay: Duration.Duration
  /** No backoff delay is longer than this (a Retry-After is still honoured up to `maxElapsed`). */
  readonly maxDelay: Duration.Duration
}

/** The client's settings. Build them with `CdnConfig.layer` or `CdnConfig.fromEnv`. */
export interface CdnConfigShape {
  readonly baseUrl: string
  readonly keyId: string
  readonly keyValue: Redacted.Redacted<string>
  /** One attempt's limit; a retry starts afresh. */
  readonly attemptTimeout: Duration.Duration
  readonly retry: RetryLimits
  /** The `User-Agent` of every request: `cdn-core/<version>`, with the caller's product (see `userAgent`). */
  readonly userAgent: string
}

/** The client's settings, as a service. */
export class CdnConfig extends Context.Tag("@org/cdn-core/CdnConfig")<CdnConfig, CdnConfigShape>() {}

/** Defaults for everything but the key. */
export const defaults = {
  baseUrl: defaultBaseUrl,
  attemptTimeout: Duration.seconds(10),
  retry: {
    maxAttempts: 4,
    maxElapsed: Duration.seconds(30),
    baseDelay: Duration.millis(200),
    maxDelay: Duration.seconds(5)
  }
} as const

/** What `make` takes: the key, and any setting to change from the defaults. */
export interface CdnConfigInput {
  readonly keyId: string
  readonly keyValue: string | Redacted.Redacted<string>
  readonly baseUrl?: string
  /** In the one duration syntax (`10s`, `500ms`, a number of milliseconds; see `Durations`). */
  readonly attemptTimeout?: DurationText
  readonly retry?: Partial<{ [K in keyof RetryLimits]: K extends "maxAttempts" ? number : DurationText }>
  /** The caller's product, appended to the User-Agent: `myapp/1.2` gives `cdn-core/<version> myapp/1.2`. */
  readonly userAgent?: string
}

/** The User-Agent: `before` (an app built on the library), `cdn-core/<version>`, then `after` (the caller's product). */
export const userAgent = (parts: { readonly before?: string; readonly after?: string } = {}): string =>
  [parts.before, `cdn-core/${version}`, parts.after].filter((part) => part !== undefined && part !== "").join(" ")

// A header value: printable, one line.
const headerSafe = (text: string): boolean => /^[\x20-\x7e]*$/.test(text)

const invalid = (path: string, message: string) => ConfigError.InvalidData([path], message)
// Inside a variable's own Config, which adds the variable's name to the path.
const refuse = (message: string) => ConfigError.InvalidData([], message)

/** A URL as it may be shown: its password (and user name) replaced by `***`, bounded. */
export const maskedUrl = (url: URL): string => {
  const shown = new URL(url.toString())
  if (shown.password !== "") shown.password = "***"
  if (shown.username !== "") shown.username = "***"
  return bounded(shown.toString())
}

// A base URL is an http(s) origin with an optional path prefix; a trailing slash is dropped. Credentials are refused
// (the service signs requests; a password in a URL would travel to every log) and never echoed.
const checkBaseUrl = (value: string): Either.Either<string, string> => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // A string that is not a URL may be anything the user pasted, the key included: it is not echoed.
    const hint = value.includes("://") ? "the value given is not one" : "the value given has no https:// or http://"
    return Either.left(`must be a URL such as ${defaultBaseUrl} (${hint})`)
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left(`must not hold a user name or password, got ${maskedUrl(url)}`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Either.left(`must be an http(s) URL, got ${maskedUrl(url)}`)
  }
  if (url.search !== "" || url.hash !== "")
    return Either.left(`must not have a query or fragment, got ${maskedUrl(url)}`)
  return Either.right(url.toString().replace(/\/+$/, ""))
}

/** Checks plain values and fills in defaults. */
export const make = (input: CdnConfigInput): Either.Either<CdnConfigShape, ConfigError.ConfigError> => {
  const baseUrl = checkBaseUrl(input.baseUrl ?? defaults.baseUrl)
  if (Either.isLeft(baseUrl)) return Either.left(invalid("baseUrl", baseUrl.left))
  if (input.keyId.trim() === "") return Either.left(invalid("keyId", "the key ID is empty"))
  const keyValue = Redacted.isRedacted(input.keyValue) ? input.keyValue : Redacted.make(input.keyValue)
  if (Redacted.value(keyValue) === "") return Either.left(invalid("keyValue", "the key value is empty"))
  const retry = input.retry ?? {}
  const maxAttempts = retry.maxAttempts ?? defaults.retry.maxAttempts
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    return Either.left(invalid("retry.maxAttempts", `must be a whole number >= 1, got ${maxAttempts}`))
  }
  const durations = {
    attemptTimeout: Durations.decodePositive(input.attemptTimeout ?? defaults.attemptTimeout),
    "retry.maxElapsed": Durations.decode(retry.maxElapsed ?? defaults.retry.maxElapsed),
    "retry.baseDelay": Durations.decode(retry.baseDelay ?? defaults.retry.baseDelay),
    "retry.maxDelay": Durations.decode(retry.maxDelay ?? defaults.retry.maxDelay)
  }
  for (const [path, duration] of Object.entries(durations)) {
    if (Either.isLeft(duration)) return Either.left(invalid(path, duration.left))
  }
  if (input.userAgent !== undefined && !headerSafe(input.userAgent)) {
    return Either.left(invalid("userAgent", "must be printable ASCII on one line, such as myapp/1.2"))
  }
  const value = (duration: Either.Either<Duration.Duration, string>) => Either.getOrThrow(duration)
  return Either.right({
    baseUrl: baseUrl.right,
    keyId: input.keyId.trim(),
    keyValue,
    attemptTimeout: value(durations.attemptTimeout),
    retry: {
      maxAttempts,
      maxElapsed: value(durations["retry.maxElapsed"]),
      baseDelay: value(durations["retry.baseDelay"]),
      maxDelay: value(durations["retry.maxDelay"])
    },
    userAgent: userAgent(input.userAgent === undefined ? {} : { after: input.userAgent })
  })
}

/** A layer from plain values. */
export const layer = (input: CdnConfigInput): Layer.Layer<CdnConfig, ConfigError.ConfigError> =>
  Layer.effect(CdnConfig, make(input))

/**
 * The settings as `Config`: `AZURE_CDN_BASE_URL`, `AZURE_CDN_KEY_ID`, `AZURE_CDN_KEY_VALUE`,
 * `AZURE_CDN_TIMEOUT`, `AZURE_CDN_MAX_ATTEMPTS`, `AZURE_CDN_MAX_RETRY_TIME` (durations as `10s`, `500ms`, `2 seconds`).
 */
export const config: Config.Config<CdnConfigShape> = Config.all({
  // Each check sits inside its variable's Config (before any default), so its error names the variable.
  baseUrl: Config.string("AZURE_CDN_BASE_URL").pipe(
    Config.mapOrFail((value) => Either.mapLeft(checkBaseUrl(value), refuse)),
    Config.withDefault(defaults.baseUrl)
  ),
  // Trimmed first: a key ID of spaces is as missing as none.
  keyId: Config.string("AZURE_CDN_KEY_ID").pipe(
    Config.mapOrFail((id) => (id.trim() === "" ? Either.left(refuse("the key ID is empty")) : Either.right(id.trim())))
  ),
  keyValue: Config.redacted(Config.nonEmptyString("AZURE_CDN_KEY_VALUE")),
  attemptTimeout: Durations.config("AZURE_CDN_TIMEOUT", { positive: true }).pipe(
    Config.withDefault(defaults.attemptTimeout)
  ),
  maxAttempts: Config.integer("AZURE_CDN_MAX_ATTEMPTS").pipe(
    Config.mapOrFail((n) => (n >= 1 ? Either.right(n) : Either.left(refuse(`must be a whole number >= 1, got ${n}`)))),
    Config.withDefault(defaults.retry.maxAttempts)
  ),
  maxElapsed: Durations.config("AZURE_CDN_MAX_RETRY_TIME").pipe(Config.withDefault(defaults.retry.maxElapsed))
}).pipe(
  Config.map(({ maxAttempts, maxElapsed, ...rest }) => ({
    ...rest,
    retry: { ...defaults.retry, maxAttempts, maxElapsed },
    userAgent: userAgent()
  }))
)

/** A layer from the environment (or whatever `ConfigProvider` is current). */
export const fromEnv: Layer.Layer<CdnConfig, ConfigError.ConfigError> = Layer.effect(
  CdnConfig,
  Effect.gen(function* () {
    return yield* config
  })
)

/**
 * One line for a configuration error, naming the first setting at fault (as `names` call it, e.g.
 * `{ baseUrl: "--base-url / AZURE_CDN_BASE_URL" }`, else by its path). A secret's own message is never repeated.
 */
export const describeConfigError = (
  error: ConfigError.ConfigError,
  names: Readonly<Record<string, string>> = {}
): string => {
  const first = (e: ConfigError.ConfigError): ConfigError.ConfigError =>
    e._op === "And" || e._op === "Or" ? first(e.left) : e
  const leaf = first(error)
  if (leaf._op === "And" || leaf._op === "Or") return "invalid configuration"
  const path = leaf.path.join(".")
  const setting = names[path] ?? path
  const message =
    leaf._op === "MissingData"
      ? "is not set"
      : // A secret's own message is "<redacted>": say what is wrong instead.
        leaf.message === "<redacted>"
        ? "is not valid"
        : leaf.message.replace(/\s+/g, " ")
  return setting === "" ? message : `${setting}: ${message}`
}
