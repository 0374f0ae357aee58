/**
 * The options that name a subscription and an endpoint, shared by every command that takes them.
 */
import * as Options from "@effect/cli/Options"

export const subscriptionOption = Options.text("subscription").pipe(
  Options.withPseudoName("guid"),
  Options.withDescription("The subscription's GUID")
)

export const endpointOption = Options.text("endpoint").pipe(
  Options.withPseudoName("guid"),
  Options.withDescription("The endpoint's GUID")
)

/** `--subscription` and `--endpoint`, both required. */
export const endpointRefOptions = { subscriptionId: subscriptionOption, endpointId: endpointOption }
