/**
 * `-o yaml` and `--query`: a command renders its json, and this reshapes it on its way to stdout: the JMESPath
 * expression applied (`jmespath`), then written as JSON or YAML. Help and other text pass as they are.
 */
import { Effect } from "effect"
import { search } from "jmespath"
import { stringify } from "yaml"
import { UsageError } from "./CliErrors.js"

export interface Shape {
  readonly yaml: boolean
  readonly query: string | undefined
}

/** The expression checked before anything is sent: a mistake is one line and exit 2. */
export const checkQuery = (query: string): Effect.Effect<void, UsageError> =>
  Effect.try({
    try: () => void search({}, query),
    catch: (error) => new UsageError({ message: `--query: ${(error as Error).message}` })
  })

const reshape = (shape: Shape, text: string): string => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return text
  }
  const chosen = shape.query === undefined ? value : search(value, shape.query)
  return shape.yaml ? stringify(chosen, { lineWidth: 0 }).replace(/\n$/, "") : JSON.stringify(chosen, null, 2)
}

/** Runs `effect` with a Console whose `log` reshapes json results as `shape` says. */
export const withShape =
  (shape: Shape) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    !shape.yaml && shape.query === undefined
      ? effect
      : Effect.flatMap(Effect.console, (base) =>
          Effect.withConsole(effect, {
            ...base,
            log: (...args) =>
              base.log(...(args.length === 1 && typeof args[0] === "string" ? [reshape(shape, args[0])] : args))
          })
        )
