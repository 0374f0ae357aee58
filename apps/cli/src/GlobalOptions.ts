/**
 * The options every command takes. Credentials are optional here, so that `--help` works without them;
 * the commands that need them check them when they run.
 */
import * as Options from "@effect/cli/Options"
import type { Option, Redacted } from "effect"

/** How results are printed: `yaml` is the json output written as YAML. */
export const outputChoices = ["json", "yaml", "table", "tsv"] as const
export type OutputChoice = (typeof outputChoices)[number]
/** What a command renders; `yaml` and `--query` reshape its json afterwards (see `ShapedOutput`). */
export type OutputFormat = Exclude<OutputChoice, "yaml">

export const globalOptions = {
  baseUrl: Options.text("base-url").pipe(
    Options.withPseudoName("url"),
    Options.withDescription("The API's base URL [default https://restapi.cdn.azure.cn]"),
    Options.optional
  ),
  keyId: Options.text("key-id").pipe(
    Options.withPseudoName("id"),
    Options.withDescription("The API key's ID, from the portal's key management"),
    Options.optional
  ),
  keyValue: Options.redacted("key-value").pipe(
    Options.withPseudoName("value"),
    Options.withDescription(
      "The API key's value; prefer --key-value-file or the environment, which stay out of shell history"
    ),
    Options.optional
  ),
  keyValueFile: Options.text("key-value-file").pipe(
    Options.withPseudoName("path|-"),
    Options.withDescription(
      "Read the key value from this file, or from stdin when it is '-' (a trailing newline is dropped)"
    ),
    Options.optional
  ),
  profile: Options.text("profile").pipe(
    Options.withPseudoName("name"),
    Options.withDescription(
      "The profile of ~/.config/azcdn/config.json ($AZCDN_CONFIG) to read the key, base URL, subscription and endpoint from [default: the one named default, if any]; flags and the environment win"
    ),
    Options.optional
  ),
  output: Options.choice("output", outputChoices).pipe(
    Options.withAlias("o"),
    Options.withDescription(
      "json (the service's own shape; default in a pipe), yaml (the same as YAML), table (for people; default on a terminal) or tsv"
    ),
    Options.optional
  ),
  query: Options.text("query").pipe(
    Options.withPseudoName("jmespath"),
    Options.withDescription(
      'A JMESPath expression applied to the json (or yaml) output, e.g. "[?Status.Enabled].Settings.CustomDomain"'
    ),
    Options.optional
  ),
  verbose: Options.boolean("verbose").pipe(
    Options.withDescription("Log each HTTP attempt on stderr: method, path, status, duration, correlation id, retries")
  ),
  emulator: Options.boolean("emulator").pipe(
    Options.withDescription("Run against an embedded, in-process emulator instead of the service (no account needed)")
  )
}

/** The parsed global options. */
export interface GlobalFlags {
  readonly baseUrl: Option.Option<string>
  readonly keyId: Option.Option<string>
  readonly keyValue: Option.Option<Redacted.Redacted<string>>
  readonly keyValueFile: Option.Option<string>
  readonly profile: Option.Option<string>
  readonly output: Option.Option<OutputChoice>
  readonly query: Option.Option<string>
  readonly verbose: boolean
  readonly emulator: boolean
  /** A write command's `--dry-run`. */
  readonly dryRun?: boolean
}
