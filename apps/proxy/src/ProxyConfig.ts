/**
 * The proxy's settings, from the environment: where to listen, who may call, how to cache, limit and drain. The
 * upstream settings (AZURE_CDN_*) are cdn-core's own `CdnConfig`.
 */
import { CdnConfig, Durations } from "@org/cdn-core"
import { Config, ConfigError, Context, Duration, Either, Layer, Option, Redacted } from "effect"
import * as SecretFile from "./SecretFile.js"
import * as Tokens from "./Tokens.js"

export interface ProxySettings {
  readonly port: number
  readonly host: string
  readonly tokens: Tokens.Tokens
  /** `PROXY_TOKENS_FILE`: where the tokens are read again as they change, and the text first read. */
  readonly tokensFile: { readonly path: string; readonly text: string } | undefined
  /** Off: every request goes upstream on its own (no cache, no coalescing). */
  readonly cache: boolean
  /** Entries kept at most; terminal operations stay until pushed out. */
  readonly cacheCapacity: number
  /** Bytes the kept answers may take at most: their bodies and keys, and 512 bytes each for the rest. */
  readonly cacheMaxBytes: number
  /** How long an operation still running is served from the cache. */
  readonly runningTtl: Duration.Duration
  /** How long a `RequestThrottled` that outlasted the retry budget is answered from the cache. */
  readonly throttledTtl: Duration.Duration
  /** Upstream calls per second at most (retries included); none when undefined. */
  readonly upstreamRateLimit: number | undefined
  readonly upstreamConnections: number
  /** How long in-flight requests may take to finish after SIGTERM. */
  readonly drainTimeout: Duration.Duration
  readonly maxUrlLength: number
  readonly maxHeaderBytes: number
  /** The largest write body read; a larger one answers 413 and nothing is sent. */
  readonly maxBodyBytes: number
  /** The purge dedupe window in seconds; 0 turns it off. */
  readonly purgeDedupeSeconds: number
  /** The Redis the replicas share (`redis://` or `rediss://`, maybe with a password); none: a lone replica. */
  readonly redisUrl: Redacted.Redacted<string> | undefined
}

/** The settings, as a service. */
export class ProxyConfig extends Context.Tag("@org/cdn-proxy/ProxyConfig")<ProxyConfig, ProxySettings>() {}

// Inside the variable's own Config, which adds the variable's name to the error's path.
const refuse = (message: string) => ConfigError.InvalidData([], message)

const integer = (name: string, fallback: number, min: number, max: number) =>
  Config.integer(name).pipe(
    Config.mapOrFail((n) =>
      n >= min && n <= max
        ? Either.right(n)
        : Either.left(refuse(`must be a whole number from ${min} to ${max}, got ${n}`))
    ),
    Config.withDefault(fallback)
  )

// In cdn-core's one duration syntax (`2s`, `500ms`, `1 minute`, milliseconds).
const duration = (name: string, fallback: Duration.DurationInput) =>
  Durations.config(name).pipe(Config.withDefault(Duration.decode(fallback)))

/** Every proxy variable, with its default. */
const config = Config.all({
  port: integer("PORT", 8080, 0, 65535),
  host: Config.nonEmptyString("HOST").pipe(Config.withDefault("0.0.0.0")),
  // Redacted as soon as it is read; the parse error never repeats a value.
  tokens: Config.option(Config.string("PROXY_TOKENS")),
  tokensFile: Config.option(Config.nonEmptyString("PROXY_TOKENS_FILE")),
  cache: Config.literal(
    "on",
    "off"
  )("PROXY_CACHE").pipe(
    Config.map((value) => value === "on"),
    Config.withDefault(true)
  ),
  cacheCapacity: integer("PROXY_CACHE_CAPACITY", 10_000, 1, 10_000_000),
  cacheMaxBytes: integer("PROXY_CACHE_MAX_BYTES", 16 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024 * 1024),
  runningTtl: duration("PROXY_CACHE_RUNNING_TTL", "1 second"),
  throttledTtl: duration("PROXY_CACHE_THROTTLED_TTL", "2 seconds"),
  upstreamRateLimit: Config.option(
    Config.integer("PROXY_UPSTREAM_RATE_LIMIT").pipe(
      // Calls are spaced a millisecond apart at the least: a management API takes far fewer anyway.
      Config.mapOrFail((n) =>
        n >= 1 && n <= 1000 ? Either.right(n) : Either.left(refuse(`must be a whole number from 1 to 1000, got ${n}`))
      )
    )
  ).pipe(Config.map(Option.getOrUndefined)),
  upstreamConnections: integer("PROXY_UPSTREAM_CONNECTIONS", 64, 1, 1024),
  drainTimeout: duration("PROXY_DRAIN_TIMEOUT", "10 seconds"),
  maxUrlLength: integer("PROXY_MAX_URL_LENGTH", 2048, 256, 65_536),
  maxHeaderBytes: integer("PROXY_MAX_HEADER_BYTES", 8192, 1024, 65_536),
  // A certificate chain fits in the default.
  maxBodyBytes: integer("PROXY_MAX_BODY_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024),
  purgeDedupeSeconds: integer("PROXY_PURGE_DEDUPE_SECONDS", 0, 0, 86_400),
  // Redacted as soon as it is read: it may hold a password, which no log or error may show.
  redisUrl: Config.option(
    Config.redacted("REDIS_URL").pipe(
      Config.mapOrFail((url) => {
        try {
          const parsed = new URL(Redacted.value(url))
          return parsed.protocol === "redis:" || parsed.protocol === "rediss:"
            ? Either.right(url)
            : Either.left(refuse("must be a redis:// or rediss:// URL"))
        } catch {
          return Either.left(refuse("must be a URL such as redis://redis:6379"))
        }
      })
    )
  ).pipe(Config.map(Option.getOrUndefined))
})

const invalidAt = (variable: string, message: string) => ConfigError.InvalidData([variable], message)

// PROXY_TOKENS, or PROXY_TOKENS_FILE (a mounted Secret, read again as it changes): exactly one.
const withTokens = Config.mapOrFail(
  config,
  ({ tokens, tokensFile, ...rest }): Either.Either<ProxySettings, ConfigError.ConfigError> => {
    if (Option.isSome(tokens) && Option.isSome(tokensFile)) {
      return Either.left(
        invalidAt("PROXY_TOKENS_FILE", "give the tokens once: PROXY_TOKENS or PROXY_TOKENS_FILE, not both")
      )
    }
    if (Option.isSome(tokens)) {
      return Either.mapBoth(Tokens.parse(Redacted.make(tokens.value)), {
        onLeft: (why) => invalidAt("PROXY_TOKENS", why),
        onRight: (parsed) => ({ ...rest, tokens: parsed, tokensFile: undefined })
      })
    }
    if (Option.isNone(tokensFile))
      return Either.left(
        ConfigError.MissingData(
          ["PROXY_TOKENS"],
          "Expected PROXY_TOKENS (or PROXY_TOKENS_FILE) to exist in the process context"
        )
      )
    const path = tokensFile.value
    const text = SecretFile.readText(path)
    if (Either.isLeft(text)) return Either.left(invalidAt("PROXY_TOKENS_FILE", `cannot read ${path} (${text.left})`))
    return Either.mapBoth(Tokens.parse(Redacted.make(text.right)), {
      onLeft: (why) => invalidAt("PROXY_TOKENS_FILE", `${path}: ${why}`),
      onRight: (parsed) => ({ ...rest, tokens: parsed, tokensFile: { path, text: text.right } })
    })
  }
)

/** The settings from the environment. */
export const fromEnv: Layer.Layer<ProxyConfig, ConfigError.ConfigError> = Layer.effect(ProxyConfig, withTokens)

/** One line for a configuration error, naming the first variable at fault (the core's wording, as the CLI's). */
export const describeError = (error: ConfigError.ConfigError): string => CdnConfig.describeConfigError(error)
