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
})
