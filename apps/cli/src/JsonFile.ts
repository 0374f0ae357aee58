/**
 * A JSON document from a file, or from stdin for `-`: what `cache-rules set` and `access-control set` read.
 */
import { text } from "node:stream/consumers"
import { FileSystem } from "@effect/platform/FileSystem"
import { bounded } from "@org/cdn-core/Errors"
import { Effect } from "effect"
import { UsageError } from "./CliErrors.js"

/** The parsed JSON of `path` (`-`: stdin); a usage error naming the option when it cannot be read or parsed. */
export const read = (option: string, path: string): Effect.Effect<unknown, UsageError, FileSystem> =>
  (path === "-"
    ? Effect.tryPromise({
        try: () => text(process.stdin),
        catch: () => new UsageError({ message: `${option} -: cannot read stdin` })
      })
    : FileSystem.pipe(
        Effect.flatMap((fs) => fs.readFileString(path)),
        Effect.mapError(
          (error) =>
            new UsageError({
              message: `${option}: cannot read ${bounded(path, 200)}: ${error._tag === "SystemError" ? error.reason : "unreadable"}`
            })
        )
      )
  ).pipe(
    Effect.flatMap((content) =>
      Effect.try({
        try: () => JSON.parse(content) as unknown,
        catch: () => new UsageError({ message: `${option}: ${bounded(path, 200)} is not JSON` })
      })
    )
  )
