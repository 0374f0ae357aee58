/**
 * URLs from a file (or stdin for `-`): one per line; blank lines and lines starting with `#` are skipped.
 */
import { text } from "node:stream/consumers"
import { FileSystem } from "@effect/platform/FileSystem"
import { bounded } from "@org/cdn-core/Errors"
import { Effect } from "effect"
import { UsageError } from "./CliErrors.js"

/** A listed URL and the line it is on (counted from 1), to name it when it is wrong. */
export interface Listed {
  readonly line: number
  readonly text: string
}

const numbered = (content: string): ReadonlyArray<Listed> =>
  content
    .split(/\r?\n/)
    .map((line, index) => ({ line: index + 1, text: line.trim() }))
    .filter(({ text }) => text !== "" && !text.startsWith("#"))

const linesOf = (content: string): ReadonlyArray<string> => numbered(content).map(({ text }) => text)

/** The URLs listed in `path`, or on stdin for `-`, with their line numbers. */
export const readNumbered = (path: string): Effect.Effect<ReadonlyArray<Listed>, UsageError, FileSystem> =>
  Effect.map(contentOf(path), numbered)

/** The URLs listed in `path`, or on stdin for `-`. */
export const read = (path: string): Effect.Effect<ReadonlyArray<string>, UsageError, FileSystem> =>
  Effect.map(contentOf(path), linesOf)

const contentOf = (path: string): Effect.Effect<string, UsageError, FileSystem> =>
  path === "-"
    ? Effect.tryPromise({
        try: () => text(process.stdin),
        catch: () => new UsageError({ message: "--from-file -: cannot read the URLs from stdin" })
      })
    : FileSystem.pipe(
        Effect.flatMap((fs) => fs.readFileString(path)),
        Effect.mapError(
          (error) =>
            new UsageError({
              message: `--from-file: cannot read ${bounded(path, 200)}: ${error._tag === "SystemError" ? error.reason : "unreadable"}`
            })
        )
      )
