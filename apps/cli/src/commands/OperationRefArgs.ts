/**
 * What names an operation on the command line: its ID, its subscription and its endpoint (a GUID or a custom
 * domain; both may come from the environment or the profile). Checked as GUIDs by the core when the command runs,
 * so that a bad one is a usage error and nothing is sent.
 */
import * as Args from "@effect/cli/Args"
import { endpointRefOptions } from "../Ids.js"

export const operationRefArgs = {
  operationId: Args.text({ name: "operation-id" }).pipe(
    Args.withDescription("The operation's GUID (a purge's or preload's TaskTrackId); any case")
  ),
  ...endpointRefOptions
}
