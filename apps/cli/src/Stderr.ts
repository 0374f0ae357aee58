/**
 * A line on stderr for a note or a warning, outside the Console (which carries results and help): scrubbed of
 * secrets like every other line.
 */
import { Effect } from "effect"
import { scrub } from "./Secrets.js"

/** Writes one line on stderr. */
export const line = (text: string): Effect.Effect<void> => Effect.sync(() => process.stderr.write(`${scrub(text)}\n`))
