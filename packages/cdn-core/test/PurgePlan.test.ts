import { describe, expect, it } from "@effect/vitest"
import { PurgePlan } from "../src/index.js"

const files = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `http://a.example.cn/${from + i}.png`)
const dirs = (n: number) => Array.from({ length: n }, (_, i) => `http://a.example.cn/d${i}/`)

describe("PurgePlan", () => {
  it("dedupes, then fills each request up to 2,000 files and 500 directories, in order", () => {
    const plan = PurgePlan.batches([...files(4500), ...files(10), ...dirs(1200)])
    expect(plan.map((batch) => [batch.files.length, batch.directories.length])).toEqual([
      [2000, 500],
      [2000, 500],
      [500, 200]
    ])
    expect(plan[1]?.files[0]).toBe("http://a.example.cn/2000.png")
    expect(PurgePlan.batches([])).toEqual([])
  })

  it("the part of a request that fits in what is left of the day", () => {
    const [batch] = PurgePlan.batches([...files(30), ...dirs(5)])
    const { now, later } = PurgePlan.fitting(batch as PurgePlan.PurgeBatch, { files: 20, directories: 0 })
    expect([now.files.length, now.directories.length, later.files.length, later.directories.length]).toEqual([
      20, 0, 10, 5
    ])
  })
})
