/**
 * A JSON document from a file, or from stdin for `-`: what `cache-rules set` and `access-control set` read. Read as
 * strictly as the service's own body would be (`Wire.readJson`: valid UTF-8, no key twice).
 */
import { buffer } from "node:stream/consumers"
import { FileSystem } from "@effect/platform/FileSystem"
import { bounded } from "@org/cdn-core/Errors"
import * as Wire from "@org/cdn-core/Wire"
import { Effect, Either } from "effect"
import { UsageError } from "./CliErrors.js"

/** The parsed JSON of `path` (`-`: stdin); a usage error naming the option when it cannot be read or parsed. */
export const read = (option: string, path: string): Effect.Effect<unknown, UsageError, FileSystem> =>
  (path === "-"
    ? Effect.tryPromise({
        try: () => buffer(process.stdin),
        catch: () => new UsageError({ message: `${option} -: cannot read stdin` })
      })
    : FileSystem.pipe(
        Effect.flatMap((fs) => fs.readFile(path)),
        Effect.mapError(
          (error) =>
            new UsageError({
              message: `${option}: cannot read ${bounded(path, 200)}: ${error._tag === "SystemError" ? error.reason : "unreadable"}`
            })
        )
      )
  ).pipe(
    Effect.flatMap((bytes: Uint8Array) =>
      Either.match(Wire.readJson(bytes), {
        onLeft: (refused) =>
          Effect.fail(
            new UsageError({
              message: `${option}: ${path === "-" ? "stdin" : bounded(path, 200)}: ${refused.message.replace(/^body: /, "")}`
            })
          ),
        onRight: Effect.succeed
      })
    )
  )
