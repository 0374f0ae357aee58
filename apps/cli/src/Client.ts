/**
 * The `CdnClient` a command talks to: the service over HTTP, or an emulator embedded in this process.
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { CdnConfig } from "@org/cdn-core/CdnConfig"
import * as NodeHttpTransport from "@org/cdn-core/NodeHttpTransport"
import { Signer } from "@org/cdn-core/Signer"
import { fromHttpClientDirect } from "@org/cdn-core/Transport"
import { type Duration, Effect, Layer, Option, Redacted } from "effect"
import type { UsageError } from "./CliErrors.js"
import * as DryRun from "./DryRun.js"
import type { GlobalFlags } from "./GlobalOptions.js"
import { cdnConfig, type Key, keyFor } from "./Settings.js"

// Requests to the embedded emulator never leave the process; a reserved host name says so.
const embeddedBaseUrl = "http://embedded-emulator.invalid"

/** An `HttpClient` answered by an emulator in this process that accepts `key`; loaded only when asked for. */
const embeddedHttpClient = (key: Key) =>
  Effect.promise(() => Promise.all([import("@org/cdn-emulator/Emulator"), import("@org/cdn-emulator/InProcess")])).pipe(
    Effect.map(([Emulator, InProcess]) => {
      const emulator = Emulator.make({ keys: [{ id: key.id, value: Redacted.value(key.value) }] })
      return Layer.succeed(HttpClient.HttpClient, InProcess.httpClient(emulator))
    })
  )

/**
 * The client for these flags; `deadline` is a call's `--timeout` across its attempts. Fails with a usage error, before
 * anything is sent, when the settings are incomplete.
 */
export const layer = (
  flags: GlobalFlags,
  deadline: Option.Option<Duration.Duration> = Option.none()
): Layer.Layer<CdnClient, UsageError, FileSystem> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const key = yield* keyFor(flags)
      const config = yield* cdnConfig(flags, key, flags.emulator ? embeddedBaseUrl : undefined, deadline)
      // A one-shot command pays for what its first request loads: node:http loads nothing, fetch a parser.
      const base = flags.emulator
        ? Layer.provide(fromHttpClientDirect, yield* embeddedHttpClient(key))
        : NodeHttpTransport.layer()
      // --dry-run: reads go, the first write is printed instead.
      const transport =
        flags.dryRun === true ? Layer.provide(DryRun.layer(Option.contains(flags.output, "json")), base) : base
      return CdnClient.DefaultWithoutDependencies.pipe(
        Layer.provide(Signer.Default),
        Layer.provide(transport),
        Layer.provide(Layer.succeed(CdnConfig, config))
      )
    })
  )
