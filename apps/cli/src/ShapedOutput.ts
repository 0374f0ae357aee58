/**
 * `-o yaml` and `--query`: a command renders its json, and this reshapes it on its way to stdout: the JMESPath
 * expression applied (`jmespath`), then written as JSON or YAML. Help and other text pass as they are.
 */
import { Effect } from "effect"
import { UsageError } from "./CliErrors.js"

// Loaded only when asked for: every other command starts without them.
const libraries = Effect.promise(async () => {
  const [jmespath, yaml] = await Promise.all([import("jmespath"), import("yaml")])
  return { search: jmespath.search, stringify: yaml.stringify }
})
type Libraries = Effect.Effect.Success<typeof libraries>

export interface Shape {
  readonly yaml: boolean
  readonly query: string | undefined
}

/** The expression checked before anything is sent: a mistake is one line and exit 2. */
export const checkQuery = (query: string): Effect.Effect<void, UsageError> =>
  Effect.flatMap(libraries, ({ search }) =>
    Effect.try({
      try: () => void search({}, query),
      catch: (error) => new UsageError({ message: `--query: ${(error as Error).message}` })
    })
  )

const reshape = ({ search, stringify }: Libraries, shape: Shape, text: string): string => {
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
      : Effect.flatMap(Effect.zip(Effect.console, libraries), ([base, loaded]) =>
          Effect.withConsole(effect, {
            ...base,
            log: (...args) =>
              base.log(...(args.length === 1 && typeof args[0] === "string" ? [reshape(loaded, shape, args[0])] : args))
          })
        )
