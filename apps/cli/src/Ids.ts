/**
 * The options that name a subscription and an endpoint, shared by every command that takes them. Optional when
 * parsed: the environment or the profile may give them (see `Refs`).
 */
import * as Options from "@effect/cli/Options"

export const subscriptionOption = Options.text("subscription").pipe(
  Options.withPseudoName("guid"),
  Options.withDescription("The subscription's GUID"),
  Options.optional
)

export const endpointOption = Options.text("endpoint").pipe(
  Options.withPseudoName("guid|domain"),
  Options.withDescription("The endpoint's GUID, or its custom domain (cdn.example.cn)"),
  Options.optional
)

/** `--subscription` and `--endpoint`. */
export const endpointRefOptions = { subscriptionId: subscriptionOption, endpointId: endpointOption }
