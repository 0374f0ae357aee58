import { createHmac } from "node:crypto"
import { describe, expect, it } from "vitest"
import { azcdn, emulatorControl, lines, seed, startEmulator, testKey } from "./support.js"

const keyEnv = { AZURE_CDN_KEY_ID: testKey.id, AZURE_CDN_KEY_VALUE: testKey.value }

// The documented rule, written out again here so that the test does not share code with what it checks.
const expectedSignature = (path: string, sortedPairs: string, date: string, method: string) =>
  createHmac("sha256", testKey.value)
    .update(`${path}\r\n${sortedPairs}\r\n${date}\r\n${method}`, "utf8")
    .digest("hex")
    .toUpperCase()

const operationPath = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}`

describe("azcdn sign", () => {
  it("prints exactly the two headers, with the HMAC of the documented string to sign", async () => {
    const date = "2017-05-02 06:34:07"
    const url = `https://restapi.cdn.azure.cn${operationPath}?apiVersion=1.0`
    const result = await azcdn(["sign", "--method", "GET", "--url", url, "--date", date], { env: keyEnv })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe("")
    const signature = expectedSignature(operationPath, "apiVersion:1.0", date, "GET")
    expect(result.stdout).toBe(`x-azurecdn-request-date: ${date}\nAuthorization: AzureCDN ${testKey.id}:${signature}\n`)
  })

  it("signs any URL of the API: query values decoded, pairs sorted by name, a repeated name once", async () => {
    const date = "2024-02-29 23:59:59"
    const path = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/bandwidth`
    const url = `https://restapi.cdn.azure.cn${path}?startTime=2024-02-01T00%3A00%3A00Z&granularity=PerHour&apiVersion=1.0&granularity=PerDay`
    const result = await azcdn(["sign", "--method", "post", "--url", url, "--date", date], { env: keyEnv })
    expect(result.code).toBe(0)
    const signature = expectedSignature(
      path,
      "apiVersion:1.0, granularity:PerHour, startTime:2024-02-01T00:00:00Z",
      date,
      "POST"
    )
    expect(lines(result.stdout)).toEqual([
      `x-azurecdn-request-date: ${date}`,
      `Authorization: AzureCDN ${testKey.id}:${signature}`
    ])
  })

  it("dates the signature now when no --date is given", async () => {
    const before = Date.now()
    const result = await azcdn(["sign", "--method", "GET", "--url", `${operationPath}?apiVersion=1.0`], { env: keyEnv })
    expect(result.code).toBe(0)
    const date = lines(result.stdout)[0]?.replace("x-azurecdn-request-date: ", "") ?? ""
    expect(date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    const at = Date.parse(`${date.replace(" ", "T")}Z`)
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(at).toBeLessThanOrEqual(Date.now())
  })

  it("gives headers that the emulator accepts, as curl would send them", async () => {
    const emulator = await startEmulator()
    try {
      const url = `${emulator.url}${operationPath}?apiVersion=1.0`
      const result = await azcdn(["sign", "--method", "GET", "--url", url], { env: keyEnv })
      expect(result.code).toBe(0)
      const headers = Object.fromEntries(lines(result.stdout).map((line) => line.split(": ") as [string, string]))
      const response = await fetch(url, { headers })
      expect(response.status).toBe(200)
      expect((await response.json()).Id).toBe(seed.operationId)
      expect((await emulatorControl(emulator.url).requests())[0]?.signatureValid).toBe(true)
    } finally {
      await emulator.close()
    }
  })

  it("prints the headers as JSON with -o json, and as one TSV line with -o tsv", async () => {
    const args = ["sign", "--method", "GET", "--url", operationPath, "--date", "2017-05-02 06:34:07"]
    const json = await azcdn([...args, "-o", "json"], { env: keyEnv })
    const tsv = await azcdn([...args, "-o", "tsv"], { env: keyEnv })
    const signature = expectedSignature(operationPath, "", "2017-05-02 06:34:07", "GET")
    expect(JSON.parse(json.stdout)).toEqual({
      "x-azurecdn-request-date": "2017-05-02 06:34:07",
      Authorization: `AzureCDN ${testKey.id}:${signature}`
    })
    expect(tsv.stdout).toBe(`2017-05-02 06:34:07\tAzureCDN ${testKey.id}:${signature}\n`)
  })

  it("warns on stderr, not stdout, when the path has upper-case GUIDs", async () => {
    const url = `${operationPath.toUpperCase().replace("/SUBSCRIPTIONS", "/subscriptions")}?apiVersion=1.0`
    const result = await azcdn(["sign", "--method", "GET", "--url", url], { env: keyEnv })
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toHaveLength(2)
    expect(result.stderr).toContain("upper-case GUIDs")
  })

  it.each([
    [["--date", "2017-05-02T06:34:07"], "--date must be"],
    [["--date", "2017-02-30 06:34:07"], "--date must be"],
    [["--date", "2017-05-02 24:00:00"], "--date must be"]
  ])("exits 2 for a date not in the service's format: %j", async (date, message) => {
    const result = await azcdn(["sign", "--method", "GET", "--url", operationPath, ...date], { env: keyEnv })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain(message)
  })

  it("exits 2 for a URL or a method it cannot sign", async () => {
    const badUrl = await azcdn(["sign", "--method", "GET", "--url", "ftp://example.com/x"], { env: keyEnv })
    const badMethod = await azcdn(["sign", "--method", "G E T", "--url", operationPath], { env: keyEnv })
    expect([badUrl.code, badMethod.code]).toEqual([2, 2])
    expect(badUrl.stderr).toMatch(/^azcdn: UsageError: --url must be/)
    expect(badMethod.stderr).toMatch(/^azcdn: UsageError: --method must be/)
  })

  it("exits 2 without credentials, saying how to give them", async () => {
    const result = await azcdn(["sign", "--method", "GET", "--url", operationPath])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^azcdn: UsageError: missing credentials: .*AZURE_CDN_KEY_ID/)
  })
})
