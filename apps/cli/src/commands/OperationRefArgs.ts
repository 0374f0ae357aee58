/**
 * What names an operation on the command line: its ID, its subscription and its endpoint. Checked as GUIDs by the
 * core when the command runs, so that a bad one is a usage error and nothing is sent.
 */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"

export const operationRefArgs = {
  operationId: Args.text({ name: "operation-id" }).pipe(
    Args.withDescription("The operation's GUID (a purge's or preload's TaskTrackId); any case")
  ),
  subscriptionId: Options.text("subscription").pipe(
    Options.withPseudoName("guid"),
    Options.withDescription("The subscription's GUID")
  ),
  endpointId: Options.text("endpoint").pipe(
    Options.withPseudoName("guid"),
    Options.withDescription("The endpoint's GUID")
  )
}
