/**
 * The `CdnClient` service over the `Transport` in context, for callers that bring their own (the proxy's undici
 * pool): the same calls, typed errors, signing per attempt, clock correction and retry policy as `CdnClient.Default`.
 */
import { Layer } from "effect"
import { CdnClient } from "./CdnClient.js"
import type { CdnConfig } from "./CdnConfig.js"
import { Signer } from "./Signer.js"
import type { Transport } from "./Transport.js"

/** `CdnClient` over the `Transport` in context (with its own `Signer`). */
export const layer: Layer.Layer<CdnClient, never, CdnConfig | Transport> = CdnClient.DefaultWithoutDependencies.pipe(
  Layer.provide(Signer.Default)
)
