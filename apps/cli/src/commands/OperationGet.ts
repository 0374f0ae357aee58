/**
 * `azcdn operation get <operation-id> --subscription <id> --endpoint <id>`: prints the operation.
 */
import * as Command from "@effect/cli/Command"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { Console, Effect } from "effect"
import * as Client from "../Client.js"
import * as DurationText from "../DurationText.js"
import { globalOptions } from "../GlobalOptions.js"
import { formatFor, operationText } from "../Output.js"
import { checkOperationRef, operationRef } from "../Refs.js"
import { withVerbosity } from "../StderrLogger.js"
import { operationRefArgs } from "./OperationRefArgs.js"

export const operationGet = Command.make(
  "get",
  { ...operationRefArgs, timeout: DurationText.callTimeout, ...globalOptions },
  ({ operationId, subscriptionId, endpointId, timeout, ...flags }) =>
    Effect.gen(function* () {
      // Checked before the client is built: a bad ID is a usage error whatever the credentials.
      yield* checkOperationRef(flags, { subscriptionId, endpointId, operationId })
      const operation = yield* Effect.flatMap(
        Effect.zip(CdnClient, operationRef(flags, { subscriptionId, endpointId, operationId })),
        ([cdn, ref]) => cdn.getOperation(ref)
      ).pipe(Effect.provide(Client.layer(flags, timeout)))
      yield* Console.log(operationText(operation, formatFor(flags.output, process.stdout.isTTY === true)))
    }).pipe(withVerbosity(flags.verbose))
).pipe(Command.withDescription("Print an operation (a purge, a preload): its type, status, message, start and end."))
