/**
 * `azcdn configure [--profile NAME]`: writes a profile (key ID, key value, base URL) to the profiles file. On a
 * terminal it asks, the key value without echo; elsewhere it takes `--key-id`, `--key-value-file` (or `-` for stdin)
 * and `--base-url`.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Prompt from "@effect/cli/Prompt"
import * as CdnConfig from "@org/cdn-core/CdnConfig"
import { isHostName } from "@org/cdn-core/Endpoints"
import { isGuid } from "@org/cdn-core/Ids"
import { Console, Effect, Option, Redacted } from "effect"
import { UsageError } from "../CliErrors.js"
import { globalOptions } from "../GlobalOptions.js"
import * as Profiles from "../Profiles.js"
import { remember } from "../Secrets.js"
import { requiredKey } from "../Settings.js"

const interactive = () => process.stdin.isTTY === true && process.stderr.isTTY === true

export const configure = Command.make(
  "configure",
  {
    subscription: Options.text("subscription").pipe(
      Options.withPseudoName("guid"),
      Options.withDescription("The subscription commands use when none is given"),
      Options.optional
    ),
    endpoint: Options.text("endpoint").pipe(
      Options.withPseudoName("guid|domain"),
      Options.withDescription("The endpoint (its GUID or custom domain) commands use when none is given"),
      Options.optional
    ),
    ...globalOptions
  },
  ({ subscription, endpoint, ...flags }) =>
    Effect.gen(function* () {
      const name = Option.getOrElse(flags.profile, () => "default")
      let keyId: string
      let keyValue: string
      let baseUrl = Option.getOrUndefined(flags.baseUrl)
      if (interactive() && Option.isNone(flags.keyId)) {
        keyId = (yield* Prompt.text({ message: "Key ID (from the portal's key management)" })).trim()
        const secret = yield* Prompt.hidden({ message: "Key value (not shown)" })
        keyValue = Redacted.value(secret)
        remember(keyValue)
        const given = (yield* Prompt.text({ message: "Base URL", default: baseUrl ?? CdnConfig.defaultBaseUrl })).trim()
        baseUrl = given === CdnConfig.defaultBaseUrl ? undefined : given
      } else {
        const key = yield* requiredKey({ ...flags, profile: Option.none() })
        keyId = key.id
        keyValue = Redacted.value(key.value)
      }
      // The same checks as any command's, so that a profile that cannot work is never written.
      const checked = CdnConfig.make({ keyId, keyValue, ...(baseUrl === undefined ? {} : { baseUrl }) })
      if (checked._tag === "Left") return yield* new UsageError({ message: `not written: ${String(checked.left)}` })
      if (Option.isSome(subscription) && !isGuid(subscription.value)) {
        return yield* new UsageError({
          message: `--subscription must be a GUID, got ${JSON.stringify(subscription.value)}`
        })
      }
      if (Option.isSome(endpoint) && !isGuid(endpoint.value) && !isHostName(endpoint.value)) {
        return yield* new UsageError({
          message: `--endpoint must be a GUID or a custom domain, got ${JSON.stringify(endpoint.value)}`
        })
      }
      const path = yield* Profiles.write(name, {
        keyId,
        keyValue,
        ...(baseUrl === undefined ? {} : { baseUrl }),
        ...Option.match(subscription, {
          onNone: () => ({}),
          onSome: (value) => ({ subscription: value.toLowerCase() })
        }),
        ...Option.match(endpoint, { onNone: () => ({}), onSome: (value) => ({ endpoint: value.toLowerCase() }) })
      })
      yield* Console.log(`profile ${name} written to ${path} (readable by you alone)`)
    }).pipe(Effect.catchTag("QuitException", () => Effect.fail(new UsageError({ message: "not written" }))))
).pipe(
  Command.withDescription(
    "Write a profile (key ID, key value, base URL; the default subscription and endpoint) to ~/.config/azcdn/config.json ($AZCDN_CONFIG); --profile names it (default: default)."
  )
)
