import { describe, expect, it } from "@effect/vitest"
import { RequestLog, type RequestLogEntry } from "../src/RequestLog.js"

describe("RequestLog", () => {
  const entry = (n: number): RequestLogEntry => ({
    at: new Date(n).toISOString(),
    method: "GET",
    path: `/${n}`,
    query: {},
    date: null,
    keyId: null,
    signatureValid: false,
    userAgent: null,
    status: 401,
    outcome: "MissingAuthorizationHeader",
    correlationId: String(n)
  })

  it("keeps the newest `limit` entries, oldest first", () => {
    const log = new RequestLog(3)
    for (let n = 0; n < 10; n++) {
      log.add(entry(n))
      expect(log.all()).toHaveLength(Math.min(n + 1, 3))
      expect(log.all().at(-1)?.path).toBe(`/${n}`)
    }
    expect(log.all().map((e) => e.path)).toEqual(["/7", "/8", "/9"])
    log.clear()
    expect(log.all()).toEqual([])
  })
})
