/**
 * How a failure reads on stderr: one line, the error type, its message and the correlation id; never a stack.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import type { CliFailure } from "./ExitCode.js"

const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ").trim()

/** `azcdn: <type>: <message> (correlation id <id>)`, or nothing when @effect/cli already printed the usage error. */
export const failureLine = (failure: CliFailure): string | undefined => {
  if (ValidationError.isValidationError(failure)) return undefined
  const correlationId = "correlationId" in failure ? failure.correlationId : undefined
  // The core's messages already name the correlation id; add it only where one did not.
  const quoted = correlationId === undefined || failure.message.includes(correlationId)
  // The core's messages for documented types already start with the type.
  const named = failure.message.startsWith(failure._tag) ? failure.message : `${failure._tag}: ${failure.message}`
  const line = `azcdn: ${named}${quoted ? "" : ` (correlation id ${correlationId})`}`
  return oneLine(line)
}

/** The line for a defect: a bug, said plainly, without the stack a user cannot act on. */
export const defectLine = (defect: unknown): string =>
  oneLine(
    `azcdn: unexpected error: ${defect instanceof Error ? defect.message : String(defect)} (please report this bug)`
  )
