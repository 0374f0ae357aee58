/**
 * URLs from a file (or stdin for `-`): one per line; blank lines and lines starting with `#` are skipped.
 */
import { text } from "node:stream/consumers"
import { FileSystem } from "@effect/platform/FileSystem"
import { bounded } from "@org/cdn-core/Errors"
import { Effect } from "effect"
import { UsageError } from "./CliErrors.js"

const linesOf = (content: string): ReadonlyArray<string> =>
  content
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))

/** The URLs listed in `path`, or on stdin for `-`. */
export const read = (path: string): Effect.Effect<ReadonlyArray<string>, UsageError, FileSystem> =>
  path === "-"
    ? Effect.tryPromise({
        try: () => text(process.stdin),
        catch: () => new UsageError({ message: "--from-file -: cannot read the URLs from stdin" })
      }).pipe(Effect.map(linesOf))
    : FileSystem.pipe(
        Effect.flatMap((fs) => fs.readFileString(path)),
        Effect.mapError(
          (error) =>
            new UsageError({
              message: `--from-file: cannot read ${bounded(path, 200)}: ${error._tag === "SystemError" ? error.reason : "unreadable"}`
            })
        ),
        Effect.map(linesOf)
      )
