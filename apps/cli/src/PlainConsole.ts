/**
 * @effect/cli writes help and usage errors with ANSI styles; a pipe, a file or NO_COLOR gets them as plain text.
 * Every line is scrubbed of secrets on its way out.
 */
import { stripVTControlCharacters } from "node:util"
import { Effect } from "effect"
import { scrub } from "./Secrets.js"

const wantsColor = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb"

const plain = (args: ReadonlyArray<unknown>) =>
  args.map((arg) => (typeof arg === "string" ? stripVTControlCharacters(arg) : arg))

const scrubbed = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? scrub(arg) : arg))

/** Runs `effect` with a Console whose `log` and `error` drop styles where colour is not wanted. */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (base) => {
    const colourOut = wantsColor(process.stdout)
    const colourErr = wantsColor(process.stderr)
    return Effect.withConsole(effect, {
      ...base,
      log: (...args) => base.log(...scrubbed(colourOut ? args : plain(args))),
      error: (...args) => base.error(...scrubbed(colourErr ? args : plain(args)))
    })
  })
