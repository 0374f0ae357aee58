/**
 * Who may call the proxy and what for: bearer tokens from `PROXY_TOKENS`, kept as SHA-256 digests and compared in
 * constant time (a header once accepted is remembered as sent), each with its permissions (`read`, `purge`,
 * `manage`; default `read`) and optionally limited to some subscriptions and endpoints.
 */
import { hash, timingSafeEqual } from "node:crypto"
import { type CdnApi, Ids } from "@org/cdn-core"
import { Either, ParseResult, Redacted, Schema } from "effect"

/** One entry of `PROXY_TOKENS`: a name for the logs, the token or its SHA-256, and the subscriptions it may use. */
const TokenEntry = Schema.Struct({
  name: Schema.NonEmptyTrimmedString,
  token: Schema.optional(Schema.Redacted(Schema.String.pipe(Schema.minLength(16)))),
  sha256: Schema.optional(Schema.String.pipe(Schema.pattern(/^[0-9a-fA-F]{64}$/))),
  subscriptions: Schema.optional(Schema.Array(Ids.SubscriptionId)),
  endpoints: Schema.optional(Schema.Array(Ids.EndpointId)),
  permissions: Schema.optionalWith(Schema.Array(Schema.Literal("read", "purge", "manage")).pipe(Schema.minItems(1)), {
    default: () => ["read" as const]
  })
})

const TokenEntries = Schema.parseJson(Schema.Array(TokenEntry).pipe(Schema.minItems(1)))

/** A caller the proxy knows. */
export interface Caller {
  readonly name: string
  /** Lower-case subscription IDs it may use; undefined means all. */
  readonly subscriptions: ReadonlySet<string> | undefined
  /** Lower-case endpoint IDs it may use; undefined means all of its subscriptions'. */
  readonly endpoints: ReadonlySet<string> | undefined
  /** What it may do: `read` every GET, `purge` purge and preload, `manage` change endpoints. */
  readonly permissions: ReadonlySet<CdnApi.Permission>
}

interface Known extends Caller {
  readonly digest: Buffer
}

/** The callers, ready for `authenticate`. */
export interface Tokens {
  readonly known: ReadonlyArray<Known>
}

// The one-shot form: no Hash object per request.
const sha256 = (text: string): Buffer => hash("sha256", text, "buffer")

// Says where and what, never the value: the value may be a token.
const describe = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issue === undefined) return "is not valid"
  const where = issue.path.length === 0 ? "" : ` at ${issue.path.map((p) => `[${JSON.stringify(p)}]`).join("")}`
  const field = issue.path[issue.path.length - 1]
  const what =
    field === "token"
      ? "a token must be a string of at least 16 characters"
      : field === "sha256"
        ? "sha256 must be 64 hexadecimal digits"
        : field === "name"
          ? "name must be a non-empty string"
          : issue.path.includes("subscriptions")
            ? "subscriptions must be an array of subscription GUIDs"
            : issue.path.includes("endpoints")
              ? "endpoints must be an array of endpoint GUIDs"
              : issue.path.includes("permissions")
                ? "permissions must be a non-empty array of read, purge, manage"
                : issue._tag === "Unexpected"
                  ? "has an unknown field"
                  : issue.path.length === 0
                    ? "must be a JSON array of {name, token | sha256, permissions?, subscriptions?, endpoints?} with at least one entry"
                    : "is not valid"
  return `${what}${where}`
}

/** Parses `PROXY_TOKENS`; the error says what is wrong without repeating any value. */
export const parse = (json: Redacted.Redacted<string>): Either.Either<Tokens, string> => {
  const decoded = Schema.decodeUnknownEither(TokenEntries, { onExcessProperty: "error" })(Redacted.value(json))
  if (Either.isLeft(decoded)) return Either.left(describe(decoded.left))
  const known: Array<Known> = []
  const names = new Set<string>()
  for (const [i, entry] of decoded.right.entries()) {
    if ((entry.token === undefined) === (entry.sha256 === undefined)) {
      return Either.left(`entry [${i}] (${entry.name}) needs exactly one of token or sha256`)
    }
    if (names.has(entry.name)) return Either.left(`entry [${i}] repeats the name ${entry.name}`)
    names.add(entry.name)
    known.push({
      name: entry.name,
      digest: entry.token !== undefined ? sha256(Redacted.value(entry.token)) : Buffer.from(entry.sha256!, "hex"),
      subscriptions: entry.subscriptions === undefined ? undefined : new Set(entry.subscriptions),
      endpoints: entry.endpoints === undefined ? undefined : new Set(entry.endpoints),
      permissions: new Set(entry.permissions)
    })
  }
  return Either.right({ known })
}

/** Why a request was not let in. */
export type Refusal = "missing" | "malformed" | "unknown"

// `Bearer <token>`, the scheme in any case: read without a regular expression, on every request.
const bearerToken = (header: string): string | undefined => {
  if (header.length < 8 || header.charCodeAt(6) !== 32 || header.slice(0, 6).toLowerCase() !== "bearer")
    return undefined
  const token = header.slice(7).trim()
  return token === "" || /\s/.test(token) ? undefined : token
}

/**
 * The caller named by an `Authorization: Bearer <token>` header. Every known digest is compared, in constant time,
 * whatever matched before: the time taken does not say which token, or how much of one, was right.
 */
export const authenticate = (tokens: Tokens, header: string | undefined): Either.Either<Caller, Refusal> => {
  if (header === undefined || header === "") return Either.left("missing")
  const token = bearerToken(header)
  if (token === undefined) return Either.left("malformed")
  const digest = sha256(token)
  let found: Known | undefined
  for (const known of tokens.known) if (timingSafeEqual(known.digest, digest) && found === undefined) found = known
  return found === undefined ? Either.left("unknown") : Either.right(found)
}

/**
 * `authenticate` with a memory of the headers it accepted: a poller sends the same header again and again, and a
 * repeat is let in without hashing it. Only accepted headers are kept (a refused one always takes the full path,
 * so nobody can fill the memory without a valid token), at most `capacity` of them, of at most 512 characters.
 * A Map compares two strings only when their hashes match, so the time of a refusal still says nothing about how
 * much of a token was right.
 */
export const authenticator = (
  tokens: Tokens,
  capacity = 1_000
): ((header: string | undefined) => Either.Either<Caller, Refusal>) => {
  const accepted = new Map<string, Either.Either<Caller, Refusal>>()
  return (header) => {
    if (header !== undefined) {
      const known = accepted.get(header)
      if (known !== undefined) return known
    }
    const outcome = authenticate(tokens, header)
    // A valid token padded with spaces is still valid: only headers of a sane length are kept.
    if (header !== undefined && header.length <= 512 && Either.isRight(outcome)) {
      // Spellings of a valid token (the scheme's case, spaces) are few; a full memory starts again.
      if (accepted.size >= capacity) accepted.clear()
      accepted.set(header, outcome)
    }
    return outcome
  }
}

/** The authenticator of the tokens in force, replaced whole when they change (so a removed token's remembered headers go too). */
export interface LiveTokens {
  readonly authenticate: (header: string | undefined) => Either.Either<Caller, Refusal>
  readonly replace: (tokens: Tokens) => void
}

export const live = (tokens: Tokens): LiveTokens => {
  let current = authenticator(tokens)
  return {
    authenticate: (header) => current(header),
    replace: (next) => {
      current = authenticator(next)
    }
  }
}

/** True when the caller may use the (lower-case) subscription. */
export const mayUse = (caller: Caller, subscriptionId: string): boolean =>
  caller.subscriptions === undefined || caller.subscriptions.has(subscriptionId)

/**
 * Why the caller may not make a call needing `permission` on the (lower-case) subscription and endpoint, or
 * undefined when it may.
 */
export const refusal = (
  caller: Caller,
  permission: CdnApi.Permission,
  subscriptionId: string,
  endpointId: string | undefined
): string | undefined => {
  if (!caller.permissions.has(permission)) return `This token lacks the ${permission} permission.`
  if (!mayUse(caller, subscriptionId)) return `This token may not access subscription ${subscriptionId}.`
  if (caller.endpoints === undefined) return undefined
  // A token limited to endpoints may not act on the whole subscription (list or create endpoints).
  if (endpointId === undefined)
    return "This token is limited to some endpoints: it may not act on the whole subscription."
  return caller.endpoints.has(endpointId) ? undefined : `This token may not access endpoint ${endpointId}.`
}
