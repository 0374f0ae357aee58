/**
 * `azcdn operation wait <operation-id> --subscription <id> --endpoint <id> [--interval 2s] [--timeout 10m]`:
 * polls until the operation is terminal, with progress on stderr, and prints it.
 */
import * as Command from "@effect/cli/Command"
import { Console, Effect } from "effect"
import { OperationFailed } from "../CliErrors.js"
import * as Client from "../Client.js"
import { globalOptions } from "../GlobalOptions.js"
import { formatFor, operationText } from "../Output.js"
import { checkOperationRef, operationRef } from "../Refs.js"
import { withVerbosity } from "../StderrLogger.js"
import { endedAs, waitOptions, withProgress } from "../Waiting.js"
import { operationRefArgs } from "./OperationRefArgs.js"

export const operationWait = Command.make(
  "wait",
  {
    ...operationRefArgs,
    ...waitOptions,
    ...globalOptions
  },
  ({ operationId, subscriptionId, endpointId, interval, timeout, ...flags }) =>
    Effect.gen(function* () {
      // Checked before the client is built: a bad ID is a usage error whatever the credentials.
      yield* checkOperationRef(flags, { subscriptionId, endpointId, operationId })
      const followed = yield* operationRef(flags, { subscriptionId, endpointId, operationId }).pipe(
        Effect.flatMap((ref) => withProgress(ref, { interval, timeout })),
        Effect.provide(Client.layer(flags))
      )
      const { operation } = followed
      yield* Console.log(operationText(operation, formatFor(flags.output, process.stdout.isTTY === true)))
      if (operation.status !== "Succeeded") {
        // Failed, or a status the documents do not list: either way not a success, and named.
        return yield* new OperationFailed({
          operationId: operation.id,
          message: `operation ${operation.id} finished ${endedAs(followed)}`
        })
      }
    }).pipe(withVerbosity(flags.verbose))
).pipe(
  Command.withDescription(
    "Poll an operation until it Succeeded (exit 0) or Failed (exit 4), or until --timeout (exit 5), then print it. Progress goes to stderr."
  )
)
