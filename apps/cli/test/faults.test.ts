import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { azcdn, emulatorControl, getSeed, lines, seed, startEmulator, testKey } from "./support.js"

/** A bare server on 127.0.0.1 answering with `handler`; counts what it saw. */
const bare = async (handler: (req: IncomingMessage, res: ServerResponse, hit: number) => void) => {
  let hits = 0
  const server: Server = createServer((req, res) => {
    hits += 1
    handler(req, res, hits)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    hits: () => hits,
    env: { AZURE_CDN_BASE_URL: url, AZURE_CDN_KEY_ID: testKey.id, AZURE_CDN_KEY_VALUE: testKey.value },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const seedJson = JSON.stringify({
  Id: seed.operationId,
  Type: "Purge",
  Status: "Succeeded",
  Message: null,
  Start: "2017-05-02T06:34:07.869Z",
  End: "2017-05-02T06:44:07.869Z",
  EndpointId: seed.endpointId,
  SubscriptionId: seed.subscriptionId
})

describe("azcdn: faults from the service's address", () => {
  const servers: Array<{ close: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })

  it("a redirect to another host is not followed: exit 1, UnexpectedRedirect naming the host, nothing sent there", async () => {
    const elsewhere = await bare((_, res) => res.end(seedJson))
    const service = await bare((req, res) => {
      res.writeHead(301, { location: `${elsewhere.url}${req.url}` })
      res.end()
    })
    servers.push(elsewhere, service)
    const result = await azcdn(getSeed("-o", "json"), { env: service.env })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^azcdn: UnexpectedRedirect: .*HTTP 301.*127\.0\.0\.1:\d+/)
    ])
    expect(service.hits()).toBe(1)
    expect(elsewhere.hits()).toBe(0)
  })

  it("a bare 429 (no documented body) is a throttle, and retried", async () => {
    const service = await bare((_, res, hit) => {
      if (hit === 1) {
        res.writeHead(429, { "retry-after": "1" })
        res.end()
      } else {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(seedJson)
      }
    })
    servers.push(service)
    const result = await azcdn(getSeed("-o", "json"), { env: service.env })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ Id: seed.operationId, Status: "Succeeded" })
    expect(service.hits()).toBe(2)
  })

  it("a 5 MB ErrorInfo.Message is one bounded line", async () => {
    const message = "m".repeat(5_000_000)
    const service = await bare((_, res) => {
      res.writeHead(400, { "content-type": "application/json" })
      res.end(JSON.stringify({ Succeeded: false, ErrorInfo: { Type: "ParameterInvalid", Message: message } }))
    })
    servers.push(service)
    const result = await azcdn(getSeed(), { env: service.env })
    expect(result.code).toBe(1)
    const [line] = lines(result.stderr)
    expect(lines(result.stderr)).toHaveLength(1)
    expect(line?.length).toBeLessThan(600)
    expect(line).toContain("more characters)")
  })

  it("a hung service costs the --timeout, not attempts × the attempt timeout", async () => {
    const service = await bare(() => undefined)
    servers.push(service)
    const started = Date.now()
    const result = await azcdn(getSeed("--timeout", "2s"), { env: { ...service.env, AZURE_CDN_TIMEOUT: "10 seconds" } })
    expect(Date.now() - started).toBeLessThan(8_000)
    expect(result.code).toBe(1)
    expect(lines(result.stderr)).toEqual([expect.stringContaining("RequestTimeout")])
  })
})

describe("azcdn: no output ever holds the key value or a password", () => {
  const env = {
    AZURE_CDN_KEY_ID: testKey.id,
    AZURE_CDN_KEY_VALUE: testKey.value,
    AZURE_CDN_BASE_URL: "http://127.0.0.1:9"
  }
  // `azcdn()` itself fails a test whose output holds testKey.value; these are the mistakes a person makes.
  const mistakes: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ["a misspelt flag with the key", getSeed(`--keyvalue=${testKey.value}`)],
    ["a misspelt flag, the key after it", getSeed("--keyvalue", testKey.value)],
    ["the key where a path belongs", getSeed("--key-value-file", testKey.value)],
    ["the key as a stray argument", [...getSeed(), testKey.value]],
    ["the key in the base URL", getSeed("--base-url", `https://user:${testKey.value}@restapi.cdn.azure.cn`)],
    ["the key as the base URL", getSeed("--base-url", testKey.value)],
    ["the key as an output format", getSeed("-o", testKey.value)],
    ["the key as a timeout", getSeed("--timeout", testKey.value)],
    [
      "the key as an ID",
      ["operation", "get", testKey.value, "--subscription", seed.subscriptionId, "--endpoint", seed.endpointId]
    ]
  ]
  for (const [what, args] of mistakes) {
    it(`${what}: exit 2, one azcdn: line, the key not shown`, async () => {
      const result = await azcdn(args, { env })
      expect(result.code).toBe(2)
      expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: /)])
      expect(result.stdout).toBe("")
    })
  }

  it("a password in the base URL is refused with exit 2 and masked, and nothing is sent", async () => {
    const result = await azcdn(getSeed("--base-url", "https://deploy:hunter2-pass@127.0.0.1:9"), { env })
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain("hunter2-pass")
    expect(result.stderr).toContain("must not hold a user name or password")
  })

  it("the command line's own errors start with azcdn:, are one line, and exit 2", async () => {
    for (const args of [["operation", "get"], ["operation", "get", seed.operationId, "--bogus"], ["nope"]]) {
      const result = await azcdn(args, { env })
      expect(result.code).toBe(2)
      expect(lines(result.stderr)).toEqual([expect.stringMatching(/^azcdn: /)])
    }
  })

  it("a 100,000-character operation id: exit 2, one bounded line", async () => {
    const result = await azcdn(
      ["operation", "get", "a".repeat(100_000), "--subscription", seed.subscriptionId, "--endpoint", seed.endpointId],
      { env }
    )
    expect(result.code).toBe(2)
    const [line] = lines(result.stderr)
    expect(line?.length).toBeLessThan(500)
  })
})

describe("azcdn operation wait through an outage", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>
  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(async () => {
    await emulator.close()
  })

  it("503s from a gateway are missed polls: the wait goes on and ends Succeeded (exit 0), counting them", async () => {
    const control = emulatorControl(emulator.url)
    const { Id } = await control.createOperation({ ...emulatorIds, DurationMs: 1_500 })
    await control.setFaults({ html: { times: 4, status: 503 } })
    const result = await azcdn(["operation", "wait", Id, ...idFlags, "--interval", "200ms", "--timeout", "30s"], {
      env: { ...emulator.env, AZURE_CDN_MAX_ATTEMPTS: "1" }
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/poll missed \(UnreadableResponse\)/)
    expect(result.stderr).toMatch(/Succeeded \(.*\d+ missed\)/)
  })
})

const emulatorIds = { SubscriptionId: seed.subscriptionId, EndpointId: seed.endpointId }
const idFlags = ["--subscription", seed.subscriptionId, "--endpoint", seed.endpointId]

describe("azcdn: what an answer says that the documents do not", () => {
  const servers: Array<{ close: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })

  it("a wait that ends on an undocumented status names it and the correlation id to quote: exit 4", async () => {
    const service = await bare((_, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-correlation-id": "corr-cancelled-1" })
      res.end(seedJson.replace('"Succeeded"', '"Cancelled"'))
    })
    servers.push(service)
    const result = await azcdn(["operation", "wait", seed.operationId, ...idFlags, "-o", "tsv"], { env: service.env })
    expect(result.code).toBe(4)
    expect(lines(result.stderr).at(-1)).toMatch(/undocumented status "Cancelled".*correlation id corr-cancelled-1/)
  })

  it("answer headers larger than Node accepts: one line saying so, exit 1, not retried", async () => {
    const service = await bare((_, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-padding": "a".repeat(70_000) })
      res.end(seedJson)
    })
    servers.push(service)
    const result = await azcdn(getSeed("-o", "json"), { env: service.env })
    expect(result.code).toBe(1)
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^azcdn: TransportError: .*headers from 127\.0\.0\.1:\d+ were larger than this client accepts/
      )
    ])
    expect(service.hits()).toBe(1)
  })
})
