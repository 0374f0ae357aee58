import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, getSeed, lines, seed, startEmulator } from "./support.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let control: ReturnType<typeof emulatorControl>

beforeAll(async () => {
  emulator = await startEmulator()
  control = emulatorControl(emulator.url)
})
afterAll(() => emulator.close())
beforeEach(() => control.reset())

const seedJson = {
  Id: seed.operationId,
  Type: "Purge",
  Status: "Succeeded",
  Message: null,
  Start: "2017-05-02T06:34:07.869Z",
  End: "2017-05-02T06:44:07.869Z",
  EndpointId: seed.endpointId,
  SubscriptionId: seed.subscriptionId
}

describe("azcdn operation get: output formats", () => {
  it("prints the service's own JSON shape with -o json, and exits 0", async () => {
    const result = await azcdn(getSeed("-o", "json"), { env: emulator.env })
    expect(result).toMatchObject({ code: 0, stderr: "" })
    expect(JSON.parse(result.stdout)).toEqual(seedJson)
  })

  it("prints JSON by default when stdout is not a terminal", async () => {
    const result = await azcdn(getSeed(), { env: emulator.env })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(seedJson)
  })

  it("prints a table for people with -o table: one field per line, '-' for none", async () => {
    const result = await azcdn(getSeed("-o", "table"), { env: emulator.env })
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toEqual([
      `Id              ${seed.operationId}`,
      "Type            Purge",
      "Status          Succeeded",
      "Message         -",
      "Start           2017-05-02T06:34:07.869Z",
      "End             2017-05-02T06:44:07.869Z",
      `EndpointId      ${seed.endpointId}`,
      `SubscriptionId  ${seed.subscriptionId}`
    ])
  })

  it("prints one tab-separated line with -o tsv: the JSON's values in order, empty for null", async () => {
    const result = await azcdn(getSeed("--output", "tsv"), { env: emulator.env })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      `${[seed.operationId, "Purge", "Succeeded", "", "2017-05-02T06:34:07.869Z", "2017-05-02T06:44:07.869Z", seed.endpointId, seed.subscriptionId].join("\t")}\n`
    )
  })

  it("spells success Succeeded even when the service answers Succeed", async () => {
    const succeed = await startEmulator({ succeededSpelling: "Succeed" })
    try {
      const result = await azcdn(getSeed("-o", "json"), { env: succeed.env })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout).Status).toBe("Succeeded")
    } finally {
      await succeed.close()
    }
  })

  it("refuses an unknown format as a usage error", async () => {
    const result = await azcdn(getSeed("-o", "xml"), { env: emulator.env })
    expect(result.code).toBe(2)
    expect(await control.requests()).toEqual([])
  })
})

describe("azcdn operation get: IDs", () => {
  it("accepts upper-case GUIDs and sends them in lower case", async () => {
    const args = [
      "operation",
      "get",
      seed.operationId.toUpperCase(),
      "--subscription",
      seed.subscriptionId.toUpperCase(),
      "--endpoint",
      seed.endpointId.toUpperCase()
    ]
    const result = await azcdn(args, { env: emulator.env })
    expect(result.code).toBe(0)
    const [request] = await control.requests()
    expect(request?.path).toBe(
      `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}`
    )
    expect(request?.signatureValid).toBe(true)
  })

  it("exits 2 for an ID that is not a GUID, naming it, and sends nothing", async () => {
    const result = await azcdn(
      ["operation", "get", "not-a-guid", "--subscription", seed.subscriptionId, "--endpoint", seed.endpointId],
      { env: emulator.env }
    )
    expect(result.code).toBe(2)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: InvalidInput: operationId: .*"not-a-guid"/)])
    expect(result.stdout).toBe("")
    expect(await control.requests()).toEqual([])
  })

  it("names a bad ID before missing credentials: the line the user just typed comes first", async () => {
    const result = await azcdn(["operation", "get", seed.operationId, "--subscription", "x", "--endpoint", "y"])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^azcdn: InvalidInput: subscriptionId: /)
  })

  it("exits 2 when a required option is missing", async () => {
    const result = await azcdn(["operation", "get", seed.operationId, "--subscription", seed.subscriptionId], {
      env: emulator.env
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--endpoint")
    expect(await control.requests()).toEqual([])
  })

  it("accepts the options before the operation ID too", async () => {
    const args = ["operation", "get", "--subscription", seed.subscriptionId, "--endpoint", seed.endpointId, "-o", "tsv"]
    const result = await azcdn([...args, seed.operationId], { env: emulator.env })
    expect(result.code).toBe(0)
    expect(result.stdout.split("\t")[0]).toBe(seed.operationId)
  })
})

describe("azcdn operation get: exit codes of failures", () => {
  const otherGuid = "0b8e7a62-1c3d-4e5f-8a9b-0c1d2e3f4a5b"

  it("exits 3 for SubscriptionNotFound", async () => {
    const result = await azcdn(
      ["operation", "get", seed.operationId, "--subscription", otherGuid, "--endpoint", seed.endpointId],
      { env: emulator.env }
    )
    expect(result.code).toBe(3)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: SubscriptionNotFound: /)])
  })

  it("exits 3 for EndpointNotFound", async () => {
    const result = await azcdn(
      ["operation", "get", seed.operationId, "--subscription", seed.subscriptionId, "--endpoint", otherGuid],
      { env: emulator.env }
    )
    expect(result.code).toBe(3)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: EndpointNotFound: /)])
  })

  it("exits 3 for EndpointDoesNotBelongToSubscription", async () => {
    await control.putEndpoint({ SubscriptionId: otherGuid, EndpointId: "9f8e7d6c-5b4a-4392-8170-6a5b4c3d2e1f" })
    const result = await azcdn(
      ["operation", "get", seed.operationId, "--subscription", otherGuid, "--endpoint", seed.endpointId],
      { env: emulator.env }
    )
    expect(result.code).toBe(3)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: EndpointDoesNotBelongToSubscription: /)])
  })

  it("exits 3 for an operation the endpoint does not have", async () => {
    const result = await azcdn(
      ["operation", "get", otherGuid, "--subscription", seed.subscriptionId, "--endpoint", seed.endpointId],
      { env: emulator.env }
    )
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^azcdn: ParameterInvalid: .*not found/)
  })

  it("exits 1 for WrongSignature, naming the type and the correlation id", async () => {
    const result = await azcdn(getSeed(), { env: { ...emulator.env, AZURE_CDN_KEY_VALUE: "not-the-key" } })
    expect(result.code).toBe(1)
    const [request] = await control.requests()
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^azcdn: WrongSignature: .*correlation id ${request?.correlationId}`))
    ])
  })

  it("exits 1 for an HTML 502 from a gateway: one line with the type, message and correlation id, no stack", async () => {
    await control.setFaults({ html: { every: 1, status: 502 } })
    const result = await azcdn(getSeed(), { env: { ...emulator.env, AZURE_CDN_MAX_ATTEMPTS: "1" } })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    const requests = await control.requests()
    expect(requests).toHaveLength(1)
    const stderr = lines(result.stderr)
    expect(stderr).toHaveLength(1)
    expect(stderr[0]).toMatch(/^azcdn: UnreadableResponse: the service answered HTTP 502 with a body that is not JSON/)
    expect(stderr[0]).toContain(`correlation id ${requests[0]?.correlationId}`)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it("retries a 502 by the core's policy before giving up", async () => {
    await control.setFaults({ html: { every: 1 } })
    const result = await azcdn(getSeed(), { env: { ...emulator.env, AZURE_CDN_MAX_ATTEMPTS: "3" } })
    expect(result.code).toBe(1)
    expect(await control.requests()).toHaveLength(3)
  })

  it("exits 1 with a TransportError when nothing listens at the base URL", async () => {
    const closed = await startEmulator()
    await closed.close()
    const result = await azcdn(getSeed(), { env: { ...emulator.env, ...closed.env, AZURE_CDN_MAX_ATTEMPTS: "1" } })
    expect(result.code).toBe(1)
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^azcdn: TransportError: could not reach .*ECONNREFUSED/)
    ])
  })

  it("exits 1 for a dropped connection once the retries are spent", async () => {
    await control.setFaults({ drop: { every: 1 } })
    const result = await azcdn(getSeed(), { env: { ...emulator.env, AZURE_CDN_MAX_ATTEMPTS: "2" } })
    expect(result.code).toBe(1)
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: TransportError: /)])
  })
})

describe("azcdn operation get: retries", () => {
  it("succeeds after throttled attempts, each signed again with a new date", async () => {
    await control.setFaults({ throttle: { times: 2, retryAfterSeconds: 1 } })
    const result = await azcdn(getSeed(), { env: emulator.env })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).Id).toBe(seed.operationId)
    const requests = await control.requests()
    expect(requests.map((r) => r.outcome)).toEqual(["RequestThrottled", "RequestThrottled", "ok"])
    expect(requests.every((r) => r.signatureValid)).toBe(true)
    expect(new Set(requests.map((r) => r.date)).size).toBe(3)
  })
})
