import { describe, expect, it } from "vitest"
import * as JsonLog from "../src/JsonLog.js"

const collect = () => {
  const chunks: Array<Buffer> = []
  const log = JsonLog.batched((bytes) => chunks.push(Buffer.from(bytes)))
  const lines = () => {
    log.flush()
    return Buffer.concat(chunks)
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  }
  return { log, lines }
}

describe("the proxy's JSON lines", () => {
  it("writes each request as one JSON object, the same values quoted right every time", () => {
    const { log, lines } = collect()
    const token = 'team "ops"\n\u00e9\u{1F600}'
    for (let i = 0; i < 3; i++) {
      log.request({
        method: "GET",
        route: "operation",
        status: 200,
        durationMs: 0.25,
        token,
        cache: "hit",
        correlationId: "6d15bde3-105c-451b-a8d4-e41c4655d195"
      })
    }
    log.request({ method: "POST", route: "purge", status: 403, durationMs: 1, token: "ci", error: "PermissionDenied" })
    // Each character JSON must escape, alone in an otherwise plain value.
    const awkward = ["back\\slash", "tab\there", "del\u007f", "nul\u0000", 'quote"d']
    for (const correlationId of awkward) {
      log.request({ method: "GET", route: "operation", status: 200, durationMs: 1, correlationId })
    }
    const written = lines()
    expect(written.slice(4).map((line) => line.correlationId)).toEqual(awkward)
    written.splice(4)
    expect(written).toHaveLength(4)
    for (const line of written.slice(0, 3)) {
      expect(line).toMatchObject({ level: "info", msg: "request", route: "operation", token, cache: "hit" })
      expect(line.correlationId).toBe("6d15bde3-105c-451b-a8d4-e41c4655d195")
    }
    expect(written[3]).toMatchObject({ method: "POST", status: 403, token: "ci", error: "PermissionDenied" })
    expect(written[3]).not.toHaveProperty("cache")
  })

  it("keeps every byte of lines that fill the batch many times over, multi-byte characters included", () => {
    const { log, lines } = collect()
    const msg = "\u00e9\u4e2d".repeat(5_000)
    for (let i = 0; i < 40; i++) log.write("info", msg, { i })
    // A line longer than the whole batch goes out on its own.
    log.write("warn", "x".repeat(100_000), {})
    const written = lines()
    expect(written.map((line) => line.i)).toEqual([...Array.from({ length: 40 }, (_, i) => i), undefined])
    expect(written.slice(0, 40).every((line) => line.msg === msg)).toBe(true)
    expect((written[40]!.msg as string).length).toBe(100_000)
  })
})
