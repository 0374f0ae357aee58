/**
 * Asking before a change that cannot be taken back: on a terminal the user answers; elsewhere `--yes` says it, since
 * nobody can answer.
 */
import * as Options from "@effect/cli/Options"
import * as Prompt from "@effect/cli/Prompt"
import type { Terminal } from "@effect/platform/Terminal"
import { Effect } from "effect"
import { UsageError } from "./CliErrors.js"

export const yesFlag = Options.boolean("yes").pipe(Options.withDescription("Go ahead without asking"))

/** Goes on when `yes`, or when the user on a terminal says so; fails with a usage error otherwise. */
export const confirm = (question: string, yes: boolean): Effect.Effect<void, UsageError, Terminal> => {
  if (yes) return Effect.void
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
    return Effect.fail(
      new UsageError({ message: "this asks for confirmation on a terminal: pass --yes to go ahead without one" })
    )
  }
  return Prompt.confirm({ message: question, initial: false }).pipe(
    Effect.orElseSucceed(() => false),
    Effect.flatMap((sure) => (sure ? Effect.void : Effect.fail(new UsageError({ message: "nothing changed" }))))
  )
}
