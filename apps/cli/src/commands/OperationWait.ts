/**
 * `azcdn operation wait <operation-id> --subscription <id> --endpoint <id> [--interval 2s] [--timeout 10m]`:
 * polls until the operation is terminal, with progress on stderr, and prints it.
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import { parseOperationRef } from "@org/cdn-core/CdnClient"
import { waitForOperation } from "@org/cdn-core/Waiter"
import { Console, Effect, Either } from "effect"
import { OperationFailed } from "../CliErrors.js"
import * as Client from "../Client.js"
import * as DurationText from "../DurationText.js"
import { globalOptions } from "../GlobalOptions.js"
import { formatFor, operationText } from "../Output.js"
import * as Progress from "../Progress.js"
import { withVerbosity } from "../StderrLogger.js"
import { operationRefArgs } from "./OperationRefArgs.js"

const duration = (name: string, fallback: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("duration"),
    Options.withDefault(fallback),
    Options.withDescription(description),
    Options.mapEffect((text) =>
      Either.mapLeft(DurationText.parse(text), (why) => ValidationError.invalidValue(HelpDoc.p(`--${name}: ${why}`)))
    )
  )

export const operationWait = Command.make(
  "wait",
  {
    ...operationRefArgs,
    interval: duration("interval", "2s", "Time between polls, e.g. 500ms, 2s, 1m"),
    timeout: duration("timeout", "10m", "Give up after this long (exit code 5), e.g. 30s, 10m, 1h"),
    ...globalOptions
  },
  ({ operationId, subscriptionId, endpointId, interval, timeout, ...flags }) =>
    Effect.gen(function* () {
      // Checked before the client is built: a bad ID is a usage error whatever the credentials.
      const ref = yield* parseOperationRef({ subscriptionId, endpointId, operationId })
      const operation = yield* Effect.gen(function* () {
        const progress = yield* Progress.make(ref.operationId, process.stderr.isTTY === true)
        return yield* waitForOperation(ref, { interval, timeout, onProgress: progress.report }).pipe(
          Effect.ensuring(progress.finish)
        )
      }).pipe(Effect.scoped, Effect.provide(Client.layer(flags)))
      yield* Console.log(operationText(operation, formatFor(flags.output, process.stdout.isTTY === true)))
      if (operation.status === "Failed") {
        const said = operation.message === null ? "" : `: ${operation.message}`
        return yield* new OperationFailed({
          operationId: operation.id,
          message: `operation ${operation.id} finished as Failed${said}`
        })
      }
    }).pipe(withVerbosity(flags.verbose))
).pipe(
  Command.withDescription(
    "Poll an operation until it Succeeded (exit 0) or Failed (exit 4), or until --timeout (exit 5), then print it. Progress goes to stderr."
  )
)
