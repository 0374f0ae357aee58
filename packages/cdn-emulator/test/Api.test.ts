import { createHmac } from "node:crypto"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { splitTarget } from "../src/Api.js"
import * as Emulator from "../src/Emulator.js"
import type { EmulatorOptions } from "../src/EmulatorOptions.js"
import * as InProcess from "../src/InProcess.js"
import { otherOperation, seed, seedPath, startTime } from "./support.js"

// Requests signed by hand (node:crypto), to reach what CdnClient never sends.
const signed = (method: string, path: string, query: string, date: string) => {
  const first = new Map<string, string>()
  for (const [name, value] of new URLSearchParams(query)) if (!first.has(name)) first.set(name, value)
  const pairs = [...first]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}`)
    .join(", ")
  const text = `${path.toLowerCase()}\r\n${pairs}\r\n${date}\r\n${method}`
  const sig = createHmac("sha256", "emulator-secret").update(text).digest("hex").toUpperCase()
  return { "x-azurecdn-request-date": date, authorization: `AzureCDN emulator-key:${sig}` }
}

const send = (
  method: "GET" | "POST" | "DELETE",
  path: string,
  query = "apiVersion=1.0",
  options?: EmulatorOptions,
  at = startTime
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(at)
    const emulator = Emulator.make(options)
    const url = `https://restapi.cdn.azure.cn${path}${query === "" ? "" : `?${query}`}`
    const date = new Date(at).toISOString().slice(0, 19).replace("T", " ")
    const response = yield* InProcess.httpClient(emulator).execute(
      HttpClientRequest.make(method)(url, { headers: signed(method, path, query, date) })
    )
    return {
      status: response.status,
      headers: response.headers,
      body: (yield* response.json) as Record<string, unknown>,
      log: emulator.log.all()
    }
  }).pipe(Effect.orDie)

const errorBody = (type: string) => ({ Succeeded: false, ErrorInfo: { Type: type, Message: expect.any(String) } })

describe("the emulated API", () => {
  it.effect("answers the seed operation with the documented body and headers", () =>
    Effect.gen(function* () {
      const answer = yield* send("GET", seedPath)
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual({
        Id: seed.operationId,
        Type: "Purge",
        Status: "Succeeded",
        Message: null,
        Start: "2017-05-02T06:34:07.869Z",
        End: "2017-05-02T06:44:07.869Z",
        EndpointId: seed.endpointId,
        SubscriptionId: seed.subscriptionId
      })
      expect(answer.headers["content-type"]).toContain("application/json")
      expect(answer.headers["x-correlation-id"]).toBe(answer.log[0]?.correlationId)
      // The emulator's clock, for a client to correct its own.
      expect(answer.headers.date).toBe(new Date(startTime).toUTCString())
    })
  )

  it.effect("upper-case GUIDs in the path are the same resources", () =>
    Effect.gen(function* () {
      const upper = seedPath.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, (id) => id.toUpperCase())
      const answer = yield* send("GET", upper)
      expect(answer.status).toBe(200)
      expect(answer.body.Id).toBe(seed.operationId)
    })
  )

  it.effect(
    "the seed operation is history: Succeeded with its End whatever the emulator's clock says (a TestClock starts in 1970)",
    () =>
      Effect.gen(function* () {
        for (const at of ["1970-01-01T00:00:00Z", "2017-05-02T06:40:00Z"]) {
          const answer = yield* send("GET", seedPath, undefined, undefined, Date.parse(at))
          expect(answer.body).toMatchObject({ Status: "Succeeded", End: "2017-05-02T06:44:07.869Z" })
        }
      })
  )

  it.effect("an operation that does not exist → 404 ParameterInvalid", () =>
    Effect.gen(function* () {
      const answer = yield* send("GET", seedPath.replace(seed.operationId, otherOperation))
      expect(answer).toMatchObject({ status: 404, body: errorBody("ParameterInvalid") })
      expect(answer.body.ErrorInfo).toMatchObject({ Message: expect.stringContaining(otherOperation) })
    })
  )

  it.effect("an ID in the path that is not a GUID → 400 ParameterInvalid naming it", () =>
    Effect.gen(function* () {
      const answer = yield* send("GET", seedPath.replace(seed.endpointId, "my-endpoint"))
      expect(answer).toMatchObject({ status: 400, body: errorBody("ParameterInvalid") })
      expect(answer.body.ErrorInfo).toMatchObject({ Message: expect.stringContaining("endpointId 'my-endpoint'") })
    })
  )

  it.effect("no API at that path → 404; another method → 405; both in the service's error body", () =>
    Effect.gen(function* () {
      const nowhere = yield* send("GET", "/subscriptions/x/nothing")
      expect(nowhere).toMatchObject({ status: 404, body: errorBody("ParameterInvalid") })
      const post = yield* send("POST", seedPath)
      expect(post).toMatchObject({ status: 405, body: errorBody("ParameterInvalid") })
      expect(post.log[0]).toMatchObject({ method: "POST", status: 405, signatureValid: true })
    })
  )

  it.effect("apiVersion missing → ParameterMissing, another version → ParameterInvalid, both 400", () =>
    Effect.gen(function* () {
      expect(yield* send("GET", seedPath, "")).toMatchObject({ status: 400, body: errorBody("ParameterMissing") })
      expect(yield* send("GET", seedPath, "apiVersion=2.0")).toMatchObject({
        status: 400,
        body: errorBody("ParameterInvalid")
      })
      // A repeated name counts once, with its first value.
      expect((yield* send("GET", seedPath, "apiVersion=1.0&apiVersion=2.0")).status).toBe(200)
    })
  )

  it.effect("the log keeps the decoded query; a query parameter the call does not take is refused, named", () =>
    Effect.gen(function* () {
      const answer = yield* send("GET", seedPath, "apiVersion=1.0&note=a%20b")
      expect(answer).toMatchObject({ status: 400, body: errorBody("ParameterInvalid") })
      expect(JSON.stringify(answer.body)).toContain("note: is not a query parameter this call takes")
      expect(answer.log[0]?.query).toEqual({ apiVersion: "1.0", note: "a b" })
    })
  )

  it.effect("succeededSpelling Succeed changes the wire, and only the success spelling", () =>
    Effect.gen(function* () {
      const answer = yield* send("GET", seedPath, "apiVersion=1.0", { succeededSpelling: "Succeed" })
      expect(answer.body.Status).toBe("Succeed")
    })
  )
})

describe("splitTarget", () => {
  it.each([
    ["/a/b?x=1", "/a/b", "x=1"],
    ["/a/b", "/a/b", ""],
    ["https://host/a/b?x=1&y=2", "/a/b", "x=1&y=2"],
    ["https://host", "/", ""],
    ["http://host:8080/?", "/", ""]
  ])("%s → path %s, query %s", (url, path, query) => {
    expect(splitTarget(url)).toEqual({ path, query })
  })
})
