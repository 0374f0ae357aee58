/**
 * How a failure reads on stderr: one line, the error type, its message and the correlation id; never a stack.
 */
import { stripVTControlCharacters } from "node:util"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import { bounded } from "@org/cdn-core/Errors"
import type { CliFailure } from "./ExitCode.js"

const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ").trim()

// An option typed with its value (`'--keyvalue=…'`) is named without the value: it may be the key.
const withoutValues = (text: string): string =>
  text.replace(/'(--?[A-Za-z][\w-]*)=[^']*'/g, "'$1' (its value is not shown)")

/** The command line's own error (an unknown option, a missing argument, a bad value) as one `azcdn:` line. */
export const validationLine = (error: ValidationError.ValidationError): string | undefined => {
  if (ValidationError.isHelpRequested(error)) return undefined
  const said = oneLine(stripVTControlCharacters(HelpDoc.toAnsiText(error.error)))
  const text = said === "" ? "invalid command line (see azcdn --help)" : withoutValues(said)
  return `azcdn: ${bounded(text)}`
}

/** `azcdn: <type>: <message> (correlation id <id>)`; the command line's own errors in one line too. */
export const failureLine = (failure: CliFailure): string | undefined => {
  if (ValidationError.isValidationError(failure)) return validationLine(failure)
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
