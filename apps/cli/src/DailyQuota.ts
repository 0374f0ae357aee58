/**
 * The purge quota a subscription has used today (UTC), as this machine's azcdn counted it, kept under the XDG state
 * folder (`$XDG_STATE_HOME/azcdn/purge-quota.json`, else `~/.local/state/azcdn/…`). Counted before a request goes, so
 * that a run killed mid-request never counts too little; given back when the service refused the request.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import type { PurgeCounts } from "@org/cdn-core/PurgePlan"
import { requestLimits } from "@org/cdn-core/PurgePlan"
import { Effect } from "effect"
import { UsageError } from "./CliErrors.js"

/** Where the counts are kept. */
export const ledgerPath = (): string =>
  join(process.env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "azcdn", "purge-quota.json")

type Ledger = Record<string, { readonly day: string; readonly files: number; readonly directories: number }>

/** Today, as the quota counts days: in UTC. */
export const today = (now: number): string => new Date(now).toISOString().slice(0, 10)

const read = (path: string): Ledger => {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown
    return typeof parsed === "object" && parsed !== null ? (parsed as Ledger) : {}
  } catch {
    return {}
  }
}

// Today's entry of a ledger already read; none counted yet when it is another day's.
const usedIn = (ledger: Ledger, subscriptionId: string, now: number): PurgeCounts => {
  const entry = ledger[subscriptionId]
  return entry === undefined || entry.day !== today(now) ? { files: 0, directories: 0 } : entry
}

/** What the subscription used today. */
export const used = (subscriptionId: string, now: number): PurgeCounts =>
  usedIn(read(ledgerPath()), subscriptionId, now)

/** Adds `counts` (negative to give back) to today's use; written whole, so a reader never sees half a file. */
export const add = (subscriptionId: string, counts: PurgeCounts, now: number): Effect.Effect<void, UsageError> =>
  Effect.try({
    try: () => {
      const path = ledgerPath()
      const ledger = read(path)
      const before = usedIn(ledger, subscriptionId, now)
      ledger[subscriptionId] = {
        day: today(now),
        files: Math.max(0, before.files + counts.files),
        directories: Math.max(0, before.directories + counts.directories)
      }
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      const temporary = `${path}.${process.pid}.tmp`
      writeFileSync(temporary, `${JSON.stringify(ledger, null, 2)}\n`)
      renameSync(temporary, path)
    },
    catch: (error) => new UsageError({ message: `cannot keep the purge quota in ${ledgerPath()}: ${String(error)}` })
  })

/** `--daily-quota files=N,dirs=M` (either part may be left out); the default is the service's, 2,000 and 500. */
export const parseQuota = (text: string): PurgeCounts | string => {
  let files = requestLimits.files
  let directories = requestLimits.directories
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const match = /^(files|dirs|directories)=(\d{1,9})$/.exec(part)
    if (match === null)
      return `--daily-quota: expected files=N,dirs=M (such as files=10000,dirs=1000), got ${JSON.stringify(part)}`
    if (match[1] === "files") files = Number(match[2])
    else directories = Number(match[2])
  }
  return { files, directories }
}
