/**
 * `--dry-run` on every write: the reads a command needs still go (an endpoint found by its domain, the rules a diff
 * starts from); the first write is printed (method, path, body; never a signature, a key or a private key) instead of
 * sent, and the command ends there with exit 0.
 */
import * as Options from "@effect/cli/Options"
import { Transport, type TransportRequest, type TransportShape } from "@org/cdn-core/Transport"
import { Effect, Layer } from "effect"

export const dryRunOption = Options.boolean("dry-run").pipe(
  Options.withDescription("Print the write this would send (method, path, body) and send nothing; exit 0")
)

/** The end of a dry run: not a failure, and nothing after it runs. */
export class DryRunStop {
  readonly _tag = "DryRunStop"
}

const hidden = "<not shown: a private key>"

// A private key goes nowhere a person can read: by its field's name or by its PEM header.
const withoutSecrets = (value: unknown, key = ""): unknown => {
  if (typeof value === "string") return /privatekey/i.test(key) || value.includes("PRIVATE KEY") ? hidden : value
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, key))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, withoutSecrets(inner, name)]))
  }
  return value
}

/** The write as printed: `-o json` an object, else the request line and its body. */
export const dryRunText = (request: TransportRequest, json: boolean): string => {
  const url = new URL(request.url)
  const path = `${url.pathname}${url.search}`
  const body = request.body === undefined ? undefined : withoutSecrets(JSON.parse(request.body))
  if (json) return JSON.stringify({ Method: request.method, Path: path, Body: body ?? null }, null, 2)
  return body === undefined
    ? `${request.method} ${path}`
    : `${request.method} ${path}\n${JSON.stringify(body, null, 2)}`
}

/** The transport with every write printed and stopped; reads pass through. */
export const layer = (json: boolean): Layer.Layer<Transport, never, Transport> =>
  Layer.effect(
    Transport,
    Effect.map(
      Transport,
      (inner): TransportShape => ({
        send: (request, timeoutMs) =>
          request.method === "GET"
            ? inner.send(request, timeoutMs)
            : Effect.zipRight(
                Effect.sync(() => {
                  process.stdout.write(`${dryRunText(request, json)}\n`)
                  process.stderr.write("azcdn: dry run: nothing was sent\n")
                }),
                // Not a failure: no retry may catch it, and the run ends with exit 0 (see bin.ts).
                Effect.die(new DryRunStop())
              )
      })
    )
  )
