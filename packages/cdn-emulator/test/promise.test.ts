import { CdnClientError, createCdnClient } from "@org/cdn-core/promise"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { start } from "../src/Server.js"
import { keyId, keyValue, seed } from "./support.js"

// The Promise facade over a real port: no Effect in the caller's code.
describe("@org/cdn-core/promise against the emulator on 127.0.0.1", () => {
  let emulator: Awaited<ReturnType<typeof start>>
  let client: ReturnType<typeof createCdnClient>
  const ids = { subscriptionId: seed.subscriptionId, endpointId: seed.endpointId }

  beforeAll(async () => {
    emulator = await start({ taskDuration: "300 millis" })
    client = createCdnClient({ baseUrl: emulator.url, keyId, keyValue })
  })
  afterAll(async () => {
    await client.close()
    await emulator.close()
  })

  it("every call is an async method: list, purge and wait, per-item results", async () => {
    const [endpoint] = await client.listEndpoints({ subscriptionId: seed.subscriptionId })
    expect(endpoint?.settings.customDomain).toBe("file.example.cn")
    const finished = await client.purgeAndWait(
      { ...ids, files: ["http://file.example.cn/a.png"] },
      { interval: "100 millis", timeout: "10 seconds" }
    )
    expect(finished.operation.status).toBe("Succeeded")
    expect(finished.result.files.map((item) => item.status)).toEqual(["Succeed"])
    expect(emulator.emulator.log.all().every((entry) => entry.signatureValid)).toBe(true)
  })

  it("a service error rejects with a CdnClientError: its tag, the service's Type, status and correlation id", async () => {
    const error = await client
      .getEndpoint({ ...ids, endpointId: "66666666-7777-4888-9999-aaaaaaaaaaaa" })
      .catch((e) => e)
    expect(error).toBeInstanceOf(CdnClientError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      _tag: "EndpointNotFound",
      type: "EndpointNotFound",
      status: 404,
      category: "not-found"
    })
    expect(error.correlationId).toBe(emulator.emulator.log.all().at(-1)?.correlationId)
  })

  it("bad input rejects before anything is sent, naming the field; a bad setting throws at once", async () => {
    const before = emulator.emulator.log.all().length
    const error = await client.purge({ ...ids, files: ["not a url"] }).catch((e) => e)
    expect(error).toMatchObject({ _tag: "InvalidInput", field: "files", category: "invalid-input" })
    expect(emulator.emulator.log.all()).toHaveLength(before)
    expect(() => createCdnClient({ keyId, keyValue, baseUrl: "ftp://x" })).toThrow(CdnClientError)
  })

  it("results are plain values: times as Date, items and taskTrackId as properties, no Effect objects", async () => {
    const finished = await client.purgeAndWait(
      { ...ids, files: ["http://file.example.cn/b.png"] },
      { interval: "100ms", timeout: "10s" }
    )
    expect(finished.operation.start).toBeInstanceOf(Date)
    expect(finished.operation.end).toBeInstanceOf(Date)
    expect(finished.result.items.map((item) => item.url)).toEqual(["http://file.example.cn/b.png"])
    const accepted = await client.preload({ ...ids, files: ["http://file.example.cn/c.png"] })
    expect(accepted.taskTrackId).toBe(accepted.asyncInfo?.taskTrackId)
    // Plain data survives a JSON round trip unchanged (a DateTime or a class instance would not).
    const plain = JSON.parse(JSON.stringify(finished.operation))
    expect(plain.start).toBe(finished.operation.start.toISOString())
    expect(Object.getPrototypeOf(finished.operation)).toBe(Object.prototype)
  })

  it("onResponse reports every answer: its status, correlation id and headers", async () => {
    const seen: Array<{ status: number; correlationId?: string; headers: Record<string, string> }> = []
    await client.getEndpoint(ids, { onResponse: (response) => seen.push(response) })
    expect(seen).toHaveLength(1)
    expect(seen[0]?.status).toBe(200)
    expect(seen[0]?.correlationId).toBe(emulator.emulator.log.all().at(-1)?.correlationId)
    expect(seen[0]?.headers["x-correlation-id"]).toBe(seen[0]?.correlationId)
    // A wait reports each poll too.
    const polls: Array<number> = []
    await client.waitForOperation(
      { ...ids, operationId: seed.operationId },
      { onResponse: (r) => polls.push(r.status) }
    )
    expect(polls).toEqual([200])
  })

  it("invalid options are refused before anything is sent: a purge is never sent without a way to wait for it", async () => {
    const before = emulator.emulator.log.all().length
    for (const [options, field] of [
      [{ interval: "2x" }, "options.interval"],
      [{ timeout: "soon" }, "options.timeout"],
      [{ timeout: -1 }, "options.timeout"],
      [{ signal: "stop" }, "options.signal"],
      [{ onResponse: 1 }, "options.onResponse"]
    ] as const) {
      const error = await client
        .purgeAndWait({ ...ids, files: ["http://file.example.cn/d.png"] }, options as never)
        .catch((e) => e)
      expect(error).toBeInstanceOf(CdnClientError)
      expect(error).toMatchObject({ _tag: "InvalidInput", field, category: "invalid-input" })
    }
    expect(emulator.emulator.log.all()).toHaveLength(before)
  })

  it("an aborted call rejects at once with Aborted; one aborted before it starts sends nothing", async () => {
    const before = emulator.emulator.log.all().length
    const early = await client.getEndpoint(ids, { signal: AbortSignal.abort() }).catch((e) => e)
    expect(early).toMatchObject({ _tag: "Aborted", category: "aborted" })
    expect(emulator.emulator.log.all()).toHaveLength(before)

    emulator.emulator.faults.set({ latencyMs: 5_000 })
    try {
      const controller = new AbortController()
      const started = Date.now()
      const pending = client.getEndpoint(ids, { signal: controller.signal }).catch((e) => e)
      setTimeout(() => controller.abort(), 100)
      const aborted = await pending
      expect(aborted).toBeInstanceOf(CdnClientError)
      expect(aborted._tag).toBe("Aborted")
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      emulator.emulator.faults.clear()
    }
  })

  it("timeout bounds the whole call, in the one duration syntax", async () => {
    emulator.emulator.faults.set({ latencyMs: 5_000 })
    try {
      const error = await client.getEndpoint(ids, { timeout: "200ms" }).catch((e) => e)
      expect(error).toBeInstanceOf(CdnClientError)
      expect(error).toMatchObject({ _tag: "RequestTimeout", category: "unavailable" })
    } finally {
      emulator.emulator.faults.clear()
    }
  })
})
