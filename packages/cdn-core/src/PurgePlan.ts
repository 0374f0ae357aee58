/**
 * Any number of URLs as the purge calls take them: deduplicated, split into requests of at most 2,000 files and 500
 * directories (a URL ending in `/` is a directory), in the order given; and how much of a request fits in what is
 * left of a day's quota.
 */
import { quotas } from "./Content.js"

/** The URLs of one purge request. */
export interface PurgeBatch {
  readonly files: ReadonlyArray<string>
  readonly directories: ReadonlyArray<string>
}

/** How many files and directories: a request's ceiling, or what is left of a quota. */
export interface PurgeCounts {
  readonly files: number
  readonly directories: number
}

/** A purge request's ceiling, which is also the service's default daily quota. */
export const requestLimits: PurgeCounts = { files: quotas.purgeFiles, directories: quotas.purgeDirectories }

export const isDirectory = (url: string): boolean => url.endsWith("/")

/** Each URL once, as first written. */
export const unique = (urls: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(urls)]

/** The requests that purge every URL: each as full as the ceiling lets it, files and directories side by side. */
export const batches = (urls: ReadonlyArray<string>, limits: PurgeCounts = requestLimits): Array<PurgeBatch> => {
  const all = unique(urls)
  const files = all.filter((url) => !isDirectory(url))
  const directories = all.filter(isDirectory)
  const out: Array<PurgeBatch> = []
  for (let f = 0, d = 0; f < files.length || d < directories.length; f += limits.files, d += limits.directories) {
    out.push({ files: files.slice(f, f + limits.files), directories: directories.slice(d, d + limits.directories) })
  }
  return out
}

/** The part of `batch` that fits in `left`, and the part that does not. */
export const fitting = (
  batch: PurgeBatch,
  left: PurgeCounts
): { readonly now: PurgeBatch; readonly later: PurgeBatch } => {
  const files = Math.max(0, Math.min(batch.files.length, left.files))
  const directories = Math.max(0, Math.min(batch.directories.length, left.directories))
  return {
    now: { files: batch.files.slice(0, files), directories: batch.directories.slice(0, directories) },
    later: { files: batch.files.slice(files), directories: batch.directories.slice(directories) }
  }
}

/** The number of URLs in a batch. */
export const sizeOf = (batch: PurgeBatch): number => batch.files.length + batch.directories.length
