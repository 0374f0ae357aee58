import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CdnClient, Content, Waiter } from "@org/cdn-core"
import { Effect, TestClock } from "effect"
import { control, failureOf, requestLog, resignedAfter, seed, setFaults, successOf, withEmulator } from "./support.js"

const files = ["http://file.example.cn/pictures/city.png", "http://file.example.cn/pictures/river.png"]
const directories = ["http://file.example.cn/styles/"]
const ids = { subscriptionId: seed.subscriptionId, endpointId: seed.endpointId }

describe("CdnClient against the emulator: purge", () => {
  it.effect(
    "purge: 202 with the TaskTrackId, which is the purge id and the operation id; items Running, then Succeed",
    () =>
      withEmulator()(
        Effect.gen(function* () {
          const client = yield* CdnClient.CdnClient
          const accepted = yield* client.purge({ ...ids, files, directories })
          expect(accepted).toMatchObject({ succeeded: true, isAsync: true })
          expect(accepted.asyncInfo?.taskStatus).toBe("Processing")
          const purgeId = accepted.taskTrackId as string

          const [entry] = yield* requestLog
          expect(entry).toMatchObject({
            method: "POST",
            path: `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/purges`,
            status: 202,
            signatureValid: true
          })

          const running = yield* client.getPurge({ ...ids, purgeId })
          expect(running.files.map((item) => [item.url, item.status])).toEqual(files.map((url) => [url, "Running"]))
          expect(running.directories.map((item) => item.status)).toEqual(["Running"])
          expect((yield* client.getOperation({ ...ids, operationId: purgeId })).status).toBe("Processing")

          yield* TestClock.adjust("3 seconds")
          const done = yield* client.getPurge({ ...ids, purgeId })
          expect(done.items.every((item) => Content.isItemSucceeded(item.status))).toBe(true)
          expect(done.items.map((item) => item.status)).toEqual(["Succeed", "Succeed", "Succeed"])
          expect(yield* client.getOperation({ ...ids, operationId: purgeId })).toMatchObject({
            status: "Succeeded",
            type: "Purge"
          })
        })
      )
  )

  it.effect(
    "the body on the wire: the documented Files and Directories; an empty list left out; repeats sent once",
    () =>
      withEmulator()(
        Effect.gen(function* () {
          const client = yield* CdnClient.CdnClient
          const onlyDirs = yield* client.purge({ ...ids, directories: [...directories, ...directories] })
          const result = yield* client.getPurge({ ...ids, purgeId: onlyDirs.taskTrackId as string })
          expect(result.files).toEqual([])
          expect(result.directories.map((item) => item.url)).toEqual(directories)
        })
      )
  )

  it.effect("bad input is refused before anything is sent, naming the field and the item", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const cases = [
          [{ ...ids }, "files", "at least one"],
          [{ ...ids, files: ["/pictures/city.png"] }, "files", "files[0]: must be an absolute http(s) URL"],
          [{ ...ids, files: [files[0] as string, "ftp://file.example.cn/a"] }, "files", "files[1]"],
          [
            { ...ids, directories: Array.from({ length: 501 }, (_, i) => `http://a.example.cn/${i}/`) },
            "directories",
            "at most 500"
          ],
          [
            { ...ids, files: Array.from({ length: 2001 }, (_, i) => `http://a.example.cn/${i}`) },
            "files",
            "at most 2000"
          ],
          [{ ...ids, files: [`http://a.example.cn/${"x".repeat(5000)}`] }, "files", "at most 4096 characters"],
          [{ ...ids, endpointId: "not-a-guid", files }, "endpointId", "GUID"]
        ] as const
        for (const [input, field, says] of cases) {
          const error = yield* failureOf(client.purge(input))
          expect(error).toMatchObject({ _tag: "InvalidInput", field })
          expect(error.message).toContain(says)
        }
        expect(yield* requestLog).toEqual([])
      })
    )
  )

  it.effect("URLs no request may carry are refused by the client before anything is sent, by the kind of fault", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        for (const [url, says] of [
          ["http://file.example.cn/a%2F..%2Fb", "encoded /"],
          ["http://file.example.cn/a/../b", "'..' segment"],
          ["http://file.example.cn/a b.png", "whitespace"],
          ["http://file.example.cn/a\r\nX-Injected: 1", "control characters"],
          ["http://file.example.cn/a\u007f", "DEL"],
          ["http://file.example.cn@evil.example/a.png", "user name or password"],
          ["http://*.example.cn/a.png", "wildcard"],
          ["ftp://file.example.cn/a.png", "http or https"],
          [" http://file.example.cn/a.png", "whitespace"]
        ] as const) {
          const refused = yield* failureOf(client.purge({ ...ids, files: [url] }))
          expect(refused).toMatchObject({ _tag: "InvalidInput", field: "files" })
          expect(refused.message).toContain("files[0]")
          expect(refused.message).toContain(says)
        }
        expect(yield* requestLog).toEqual([])
      })
    )
  )

  it.effect("the emulator answers as the service would to a client that sends them anyway", () =>
    Effect.gen(function* () {
      for (const [url, type] of [
        ["http://file.example.cn/a%2F..%2Fb", "MaliciousItemPathDetected"],
        ["http://file.example.cn/a/../../etc/passwd", "MaliciousItemPathDetected"],
        ["http://*.example.cn/a.png", "ParameterInvalid"],
        ["http://file.example.cn@evil.example/a.png", "ParameterInvalid"]
      ] as const) {
        const wrap = resignedAfter((request) =>
          HttpClientRequest.bodyText(request, JSON.stringify({ Files: [url] }), "application/json")
        )
        yield* withEmulator({ wrap })(
          Effect.gen(function* () {
            const client = yield* CdnClient.CdnClient
            const error = yield* failureOf(client.purge({ ...ids, files: ["http://file.example.cn/a.png"] }))
            expect(error._tag).toBe(type)
            expect((yield* requestLog).map((entry) => entry.outcome)).toEqual([type])
          })
        )
      }
    })
  )

  it.effect("items the control API marks fail: Failed items, a Failed operation with a message", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* control("PUT", "/_emulator/failures", { Urls: [files[1]] })
        const client = yield* CdnClient.CdnClient
        const finished = yield* successOf(Waiter.purgeAndWait({ ...ids, files }, { interval: "1 second" }))
        expect(finished.operation.status).toBe("Failed")
        expect(finished.operation.message).toBe("1 of 2 items failed.")
        expect(finished.result.files.map((item) => item.status)).toEqual(["Succeed", "Failed"])
        expect(finished.id).toBe(finished.operation.id)
        const again = yield* client.getPurge({ ...ids, purgeId: finished.id })
        expect(again.files.map((item) => item.status)).toEqual(["Succeed", "Failed"])
      })
    )
  )

  it.effect("purgeAndWait: one purge sent, polls until Succeeded, then the per-item results", () =>
    withEmulator({ emulator: { taskDuration: "5 seconds" } })(
      Effect.gen(function* () {
        const seen: Array<string> = []
        const finished = yield* successOf(
          Waiter.purgeAndWait(
            { ...ids, files, directories },
            { interval: "2 seconds", onProgress: ({ operation }) => Effect.sync(() => seen.push(operation.status)) }
          )
        )
        expect(finished.operation.status).toBe("Succeeded")
        expect(finished.result.items).toHaveLength(3)
        expect(seen).toEqual(["Processing", "Processing", "Processing", "Succeeded"])
        const calls = (yield* requestLog).map(
          (entry) => `${entry.method} ${entry.path.replace(/^.*\/endpoints\/[^/]+/, "")}`
        )
        const id = finished.id
        expect(calls).toEqual(["POST /purges", ...Array(4).fill(`GET /operations/${id}`), `GET /purges/${id}`])
      })
    )
  )

  it.effect("the daily quota: a purge that would go over it is refused as RequestThrottled and spends nothing", () =>
    withEmulator({ emulator: { quotas: { purgeFiles: 3 } }, config: { retry: { maxAttempts: 1 } } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        yield* client.purge({ ...ids, files })
        const over = yield* failureOf(client.purge({ ...ids, files }))
        expect(over._tag).toBe("RequestThrottled")
        expect(over.message).toContain("daily quota")
        // One file is still within the quota.
        expect((yield* client.purge({ ...ids, files: [files[0] as string] })).succeeded).toBe(true)
      })
    )
  )
})

describe("CdnClient against the emulator: a write is re-sent only when the service certainly did not carry it out", () => {
  it.effect("a throttled purge is retried: one operation in the end", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ throttle: { times: 1 } })
        const client = yield* CdnClient.CdnClient
        const accepted = yield* successOf(client.purge({ ...ids, files }))
        expect(accepted.succeeded).toBe(true)
        expect((yield* requestLog).map((entry) => entry.status)).toEqual([429, 202])
      })
    )
  )

  it.effect("a dropped connection, a gateway 502 or a timeout after sending: the error, never a second purge", () =>
    withEmulator({ config: { attemptTimeout: "1 second" } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        for (const faults of [{ drop: { times: 1 } }, { html: { times: 1, status: 502 } }, { latencyMs: 5000 }]) {
          yield* control("DELETE", "/_emulator/requests")
          yield* setFaults(faults)
          const error = yield* failureOf(client.purge({ ...ids, files }))
          expect(["TransportError", "UnreadableResponse", "RequestTimeout"]).toContain(error._tag)
          expect(yield* requestLog).toHaveLength(1)
        }
      })
    )
  )

  it.effect("a read is still retried after a dropped connection", () =>
    withEmulator()(
      Effect.gen(function* () {
        yield* setFaults({ drop: { times: 1 } })
        const client = yield* CdnClient.CdnClient
        yield* successOf(client.getPurge({ ...ids, purgeId: seed.operationId }))
        expect((yield* requestLog).map((entry) => entry.outcome)).toEqual(["drop", "ok"])
      })
    )
  )
})

describe("CdnClient against the emulator: preload", () => {
  it.effect("preload: items Waiting, then Running, then Succeed; preloadAndWait returns them", () =>
    withEmulator({ emulator: { taskDuration: "4 seconds" } })(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const accepted = yield* client.preload({ ...ids, files })
        const preloadId = accepted.taskTrackId as string
        const statuses = () => Effect.map(client.getPreload({ ...ids, preloadId }), (r) => r.files.map((f) => f.status))
        expect(yield* statuses()).toEqual(["Waiting", "Waiting"])
        yield* TestClock.adjust("2 seconds")
        expect(yield* statuses()).toEqual(["Running", "Running"])
        yield* TestClock.adjust("2 seconds")
        expect(yield* statuses()).toEqual(["Succeed", "Succeed"])
        expect((yield* client.getOperation({ ...ids, operationId: preloadId })).type).toBe("Preload")

        const finished = yield* successOf(Waiter.preloadAndWait({ ...ids, files: [files[0] as string] }))
        expect(finished.operation.status).toBe("Succeeded")
        expect(finished.result.files.map((f) => f.url)).toEqual([files[0]])
      })
    )
  )

  it.effect("a preload needs files; a purge id is not a preload id", () =>
    withEmulator()(
      Effect.gen(function* () {
        const client = yield* CdnClient.CdnClient
        const none = yield* failureOf(client.preload({ ...ids, files: [] }))
        expect(none).toMatchObject({ _tag: "InvalidInput", field: "files" })
        const purge = yield* client.purge({ ...ids, files })
        const wrong = yield* failureOf(client.getPreload({ ...ids, preloadId: purge.taskTrackId as string }))
        expect(wrong).toMatchObject({ _tag: "ParameterInvalid", status: 404 })
      })
    )
  )
})
