/**
 * `--state FILE`: where a batch purge keeps what the service accepted, so that a rerun never sends a URL twice. A
 * request's URLs are written as `sending` before it goes and as `accepted` (with the purge id) once it is answered;
 * URLs a killed run left `sending` may have been accepted, so a rerun does not send them again and reports them as
 * `unconfirmed`. Written whole and synced at every change.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs"
import { Effect } from "effect"
import { UsageError, WriteFailed } from "./CliErrors.js"

export type UrlState = { readonly state: "accepted"; readonly purgeId: string } | { readonly state: "sending" }

export interface StateFile {
  readonly version: 1
  readonly subscriptionId: string
  readonly endpointId: string
  readonly urls: Record<string, UrlState>
}

/** The state in `path`, or a fresh one when the file does not exist yet; another endpoint's file is refused. */
export const load = (
  path: string,
  ids: { readonly subscriptionId: string; readonly endpointId: string }
): Effect.Effect<StateFile, UsageError> =>
  Effect.suspend(() => {
    let text: string
    try {
      text = readFileSync(path, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return Effect.succeed({ version: 1, ...ids, urls: {} })
      return Effect.fail(
        new UsageError({ message: `--state: cannot read ${path}: ${(error as NodeJS.ErrnoException).code}` })
      )
    }
    try {
      const state = JSON.parse(text) as StateFile
      if (state.version !== 1 || typeof state.urls !== "object" || state.urls === null) throw new Error("shape")
      if (state.subscriptionId !== ids.subscriptionId || state.endpointId !== ids.endpointId) {
        return Effect.fail(
          new UsageError({
            message: `--state: ${path} belongs to endpoint ${state.endpointId} of subscription ${state.subscriptionId}, not this one`
          })
        )
      }
      return Effect.succeed(state)
    } catch {
      return Effect.fail(new UsageError({ message: `--state: ${path} is not a purge state file` }))
    }
  })

/** Writes the state whole and syncs it before going on. */
export const save = (path: string, state: StateFile): Effect.Effect<void, WriteFailed> =>
  Effect.try({
    try: () => {
      const temporary = `${path}.${process.pid}.tmp`
      const fd = openSync(temporary, "w", 0o600)
      try {
        writeSync(fd, `${JSON.stringify(state)}\n`)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(temporary, path)
    },
    catch: (error) => new WriteFailed({ message: `--state: cannot write ${path}: ${String(error)}` })
  })
