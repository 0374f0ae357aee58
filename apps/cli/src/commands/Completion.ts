/**
 * `azcdn completion bash|zsh|fish`: the script that makes the shell complete azcdn's commands, flags, flag values and
 * profile names.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { Console } from "effect"
import { script, shells } from "../Completion.js"

export const completion = Command.make(
  "completion",
  {
    shell: Args.choice(
      shells.map((shell) => [shell, shell] as const),
      { name: "shell" }
    ).pipe(Args.withDescription("bash, zsh or fish"))
  },
  ({ shell }) => Console.log(script(shell).replace(/\n$/, ""))
).pipe(
  Command.withDescription(
    "Print the script that completes azcdn's commands, flags, flag values and profile names in bash, zsh or fish."
  )
)
