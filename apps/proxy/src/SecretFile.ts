/**
 * A secret kept in a file that changes under the running proxy, as Kubernetes mounts a Secret: the file is read
 * again every second (which sees the `..data` symlink swap and an in-place rewrite alike) and, when its text
 * changed and reads well, the new value takes the old one's place. A file that is empty or does not read keeps the
 * old value: one log line that names the file and why, never its text, and a count in /metrics.
 */
import { readFileSync } from "node:fs"
import { Duration, Effect, Either, Metric, Schedule } from "effect"
import * as JsonLog from "./JsonLog.js"

export const reloads = Metric.counter("cdn_proxy_secret_reloads_total", {
  description: "Secret files read again after they changed, by secret"
})
export const reloadFailures = Metric.counter("cdn_proxy_secret_reload_failures_total", {
  description: "Secret files that changed but could not be read (empty, not valid); the old secret stays, by secret"
})

/** How often a secret file is read again. */
export const pollEvery = Duration.seconds(1)

/** The file's text, or why it cannot be read (an error code, never the text). */
export const readText = (path: string): Either.Either<string, string> => {
  try {
    return Either.right(readFileSync(path, "utf8"))
  } catch (error) {
    return Either.left((error as NodeJS.ErrnoException).code ?? "unreadable")
  }
}

/**
 * Reads `path` again every second for as long as the scope lives; `apply` gets each new value that `parse` accepts.
 * `first` is the text read at start (so that a change is a change from it).
 */
export const watch = <A>(options: {
  readonly secret: string
  readonly path: string
  readonly first: string
  readonly parse: (text: string) => Either.Either<A, string>
  readonly apply: (value: A) => void
}) =>
  Effect.gen(function* () {
    const log = yield* JsonLog.JsonLog
    // Both registered now, so that they read 0 until the first change.
    const reloaded = Metric.tagged(reloads, "secret", options.secret).register()
    const failed = Metric.tagged(reloadFailures, "secret", options.secret).register()
    let last = options.first
    const check = Effect.suspend(() => {
      const text = readText(options.path)
      // A file missing for a moment (a swap in progress) is not a change: the next read decides.
      if (Either.isLeft(text) || text.right === last) return Effect.void
      last = text.right
      const parsed = text.right.trim() === "" ? Either.left("the file is empty") : options.parse(text.right)
      if (Either.isLeft(parsed)) {
        log.write("warn", "secret file not reloaded: the old secret stays", {
          secret: options.secret,
          path: options.path,
          reason: parsed.left
        })
        return Metric.increment(failed)
      }
      options.apply(parsed.right)
      log.write("info", "secret file reloaded", { secret: options.secret, path: options.path })
      return Metric.increment(reloaded)
    })
    yield* Effect.forkScoped(Effect.repeat(check, Schedule.spaced(pollEvery)))
  })
