/**
 * The batch planner behind `azcdn purge --from-file FILE [--state FILE] [--daily-quota files=N,dirs=M] [--wait]`: any
 * number of URLs, deduplicated and sent in requests of at most 2,000 files and 500 directories, one after another,
 * within the subscription's daily quota; `--state` makes a rerun send only what the service has not accepted.
 */
import { CdnClient } from "@org/cdn-core/CdnClient"
import { isItemFailed } from "@org/cdn-core/Content"
import type { CdnError } from "@org/cdn-core/Errors"
import * as PurgePlan from "@org/cdn-core/PurgePlan"
import { Clock, Console, type Duration, Effect, Option } from "effect"
import { OperationFailed, QuotaReached, UsageError } from "../CliErrors.js"
import * as Client from "../Client.js"
import * as DailyQuota from "../DailyQuota.js"
import type { GlobalFlags } from "../GlobalOptions.js"
import { formatFor } from "../Output.js"
import * as PurgeState from "../PurgeState.js"
import { absolute, targetProblem } from "../PurgeTargets.js"
import { endpointRef } from "../Refs.js"
import * as Stderr from "../Stderr.js"
import { withVerbosity } from "../StderrLogger.js"
import { columns, tsv } from "../Table.js"
import * as UrlFile from "../UrlFile.js"
import { withProgress } from "../Waiting.js"

export interface Batch {
  readonly given: { readonly subscriptionId: Option.Option<string>; readonly endpointId: Option.Option<string> }
  /** The paths and URLs of the command line, then `--from-file`'s. */
  readonly targets: ReadonlyArray<string>
  readonly fromFile: Option.Option<string>
  readonly state: Option.Option<string>
  readonly dailyQuota: Option.Option<string>
  readonly wait: boolean
  readonly interval: Duration.Duration
  readonly timeout: Duration.Duration
  readonly flags: GlobalFlags
}

/** Where a URL stands when the run ends. */
type Row = {
  readonly url: string
  readonly state: "accepted" | "pending" | "unconfirmed"
  readonly purgeId: string | undefined
  readonly result: string | undefined
}

// A bar on a terminal; a line per request elsewhere.
const progressLine = (sent: number, total: number, request: number, requests: number) => {
  const width = 24
  const done = total === 0 ? width : Math.round((sent / total) * width)
  return `azcdn: purge [${"#".repeat(done)}${"-".repeat(width - done)}] ${sent}/${total} URLs sent, request ${request} of ${requests}`
}

const reportText = (rows: ReadonlyArray<Row>, format: "json" | "table" | "tsv", wait: boolean): string => {
  const kind = (url: string) => (PurgePlan.isDirectory(url) ? "directory" : "file")
  switch (format) {
    case "json":
      return JSON.stringify(
        rows.map((row) => ({
          Url: row.url,
          Kind: kind(row.url),
          State: row.state,
          PurgeId: row.purgeId ?? null,
          ...(wait ? { Result: row.result ?? null } : {})
        })),
        null,
        2
      )
    case "tsv":
      return tsv(rows.map((row) => [kind(row.url), row.state, row.url, row.purgeId, ...(wait ? [row.result] : [])]))
    case "table":
      return columns(
        ["KIND", "STATE", "URL", "PURGE", ...(wait ? ["RESULT"] : [])],
        rows.map((row) => [kind(row.url), row.state, row.url, row.purgeId, ...(wait ? [row.result] : [])])
      )
  }
}

/** Every line of the file checked before anything is sent: a bad one is exit 2 naming its line. */
const listed = (fromFile: Option.Option<string>) =>
  Option.match(fromFile, {
    onNone: () => Effect.succeed([] as ReadonlyArray<string>),
    onSome: (path) =>
      Effect.flatMap(UrlFile.readNumbered(path), (lines) => {
        for (const { line, text } of lines) {
          const problem = targetProblem(text)
          if (problem !== undefined) {
            return Effect.fail(new UsageError({ message: `--from-file line ${line}: ${problem}` }))
          }
        }
        return Effect.succeed(lines.map(({ text }) => text))
      })
  })

export const runBatch = (batch: Batch) =>
  Effect.gen(function* () {
    const fromFile = yield* listed(batch.fromFile)
    for (const target of batch.targets) {
      const problem = targetProblem(target)
      if (problem !== undefined) return yield* new UsageError({ message: problem })
    }
    const quota = Option.match(batch.dailyQuota, {
      onNone: () => PurgePlan.requestLimits,
      onSome: DailyQuota.parseQuota
    })
    if (typeof quota === "string") return yield* new UsageError({ message: quota })
    const all = [...batch.targets, ...fromFile]
    if (all.length === 0) return yield* new UsageError({ message: "nothing to purge: the file lists no URL" })

    const client = yield* CdnClient
    const ids = yield* endpointRef(batch.flags, batch.given)
    // A dry run keeps nothing: no state to resume from, no quota used.
    const dry = batch.flags.dryRun === true
    const statePath = dry ? undefined : Option.getOrUndefined(batch.state)
    let state: PurgeState.StateFile =
      statePath === undefined ? { version: 1, ...ids, urls: {} } : yield* PurgeState.load(statePath, ids)
    const save = (next: PurgeState.StateFile) =>
      Effect.suspend(() => {
        state = next
        return statePath === undefined ? Effect.void : PurgeState.save(statePath, next)
      })
    const urls = PurgePlan.unique(yield* absolute(client, ids, all, "any number"))
    const pending = urls.filter((url) => state.urls[url] === undefined)
    const unconfirmed = urls.filter((url) => state.urls[url]?.state === "sending")
    if (unconfirmed.length > 0) {
      yield* Stderr.line(
        `azcdn: warning: ${unconfirmed.length} URL${unconfirmed.length === 1 ? " was" : "s were"} being sent when an earlier run stopped; the service may have accepted them, so they are not sent again (state unconfirmed)`
      )
    }

    const plan = PurgePlan.batches(pending)
    const total = pending.length
    const live = process.stderr.isTTY === true
    let sent = 0
    let remaining = 0
    for (const [index, whole] of plan.entries()) {
      const now = yield* Clock.currentTimeMillis
      const used = DailyQuota.used(ids.subscriptionId, now)
      const left = { files: quota.files - used.files, directories: quota.directories - used.directories }
      const { now: part, later } = PurgePlan.fitting(whole, left)
      if (PurgePlan.sizeOf(part) === 0) {
        remaining = total - sent
        break
      }
      const partUrls = [...part.files, ...part.directories]
      // Written before the request goes: a run killed while it is in flight never sends these again.
      yield* save({
        ...state,
        urls: { ...state.urls, ...Object.fromEntries(partUrls.map((url) => [url, { state: "sending" as const }])) }
      })
      const counts = { files: part.files.length, directories: part.directories.length }
      if (!dry) yield* DailyQuota.add(ids.subscriptionId, counts, now)
      const answer = yield* Effect.either(client.purge({ ...ids, files: part.files, directories: part.directories }))
      if (answer._tag === "Left") {
        // Refused: nothing of it was accepted, so it is pending again and its quota given back.
        yield* save({
          ...state,
          urls: Object.fromEntries(Object.entries(state.urls).filter(([url]) => !partUrls.includes(url)))
        })
        if (!dry)
          yield* DailyQuota.add(ids.subscriptionId, { files: -counts.files, directories: -counts.directories }, now)
        // The service says the day's quota is used (other tools count too): stop as at our own count.
        if (answer.left._tag === "RequestThrottled" && /quota/i.test(answer.left.message)) {
          yield* Stderr.line(`azcdn: the service says the daily quota is used: ${answer.left.message}`)
          if (!dry) yield* DailyQuota.add(ids.subscriptionId, { files: left.files, directories: left.directories }, now)
          remaining = total - sent
          break
        }
        return yield* answer.left
      }
      const purgeId = answer.right.taskTrackId ?? ""
      yield* save({
        ...state,
        urls: {
          ...state.urls,
          ...Object.fromEntries(partUrls.map((url) => [url, { state: "accepted" as const, purgeId }]))
        }
      })
      sent += partUrls.length
      yield* Effect.sync(() =>
        process.stderr.write(
          live
            ? `\r\x1b[2K${progressLine(sent, total, index + 1, plan.length)}`
            : `azcdn: purge ${purgeId} accepted: ${partUrls.length} URLs (${sent} of ${total})\n`
        )
      )
      if (PurgePlan.sizeOf(later) > 0) {
        remaining = total - sent
        break
      }
    }
    if (live && plan.length > 0) yield* Effect.sync(() => process.stderr.write("\n"))

    // With --wait: each purge followed to its end, then each URL's result.
    const results = new Map<string, string>()
    if (batch.wait) {
      const purgeIds = [
        ...new Set(
          urls.flatMap((url) => {
            const entry = state.urls[url]
            return entry?.state === "accepted" && entry.purgeId !== "" ? [entry.purgeId] : []
          })
        )
      ]
      for (const purgeId of purgeIds) {
        yield* withProgress({ ...ids, operationId: purgeId }, { interval: batch.interval, timeout: batch.timeout })
        const items = yield* client.getPurge({ ...ids, purgeId })
        for (const item of [...items.files, ...(items.directories ?? [])]) results.set(item.url, item.status)
      }
    }

    const rows: Array<Row> = urls.map((url) => {
      const entry = state.urls[url]
      return {
        url,
        state: entry === undefined ? "pending" : entry.state === "sending" ? "unconfirmed" : "accepted",
        purgeId: entry?.state === "accepted" ? entry.purgeId : undefined,
        result: results.get(url)
      }
    })
    yield* Console.log(reportText(rows, formatFor(batch.flags.output, process.stdout.isTTY === true), batch.wait))

    if (remaining > 0) {
      return yield* new QuotaReached({
        message: `the daily purge quota of subscription ${ids.subscriptionId} is used (${quota.files} files, ${quota.directories} directories a UTC day, counted in ${DailyQuota.ledgerPath()}): ${remaining} URL${remaining === 1 ? "" : "s"} remain${remaining === 1 ? "s" : ""}; rerun after 00:00 UTC${statePath === undefined ? " (with --state FILE, so that nothing is sent twice)" : ` with --state ${statePath}`}`
      })
    }
    const failed = rows.filter((row) => row.result !== undefined && isItemFailed(row.result as never)).length
    if (failed > 0) {
      return yield* new OperationFailed({ operationId: "", message: `${failed} of ${rows.length} URLs Failed` })
    }
  }).pipe(Effect.provide(Client.layer(batch.flags)), withVerbosity(batch.flags.verbose))

export type BatchError = CdnError | UsageError | QuotaReached | OperationFailed
