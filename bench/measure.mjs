// Shared timing helpers. Rounds of the contenders are interleaved, so a change in machine load hits them alike.

const round = (fn, minMillis) => {
  let n = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  while (elapsed < minMillis) {
    for (let i = 0; i < 500; i++) fn(n++)
    elapsed = Number(process.hrtime.bigint() - start) / 1e6
  }
  return (n / elapsed) * 1000
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/**
 * Operations per second of each contender (median of `rounds` interleaved rounds), and each one's ratio to
 * the first contender (median of the per-round ratios).
 */
export const compare = (contenders, { rounds = 9, minMillis = 150 } = {}) => {
  const entries = Object.entries(contenders)
  for (const [, fn] of entries) round(fn, minMillis)
  const rates = entries.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < entries.length; i++) rates[i].push(round(entries[i][1], minMillis))
  }
  return entries.map(([name], i) => ({
    name,
    opsPerSecond: median(rates[i]),
    ratio: median(rates[i].map((rate, r) => rate / rates[0][r]))
  }))
}

export const fmt = (n, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Prints a table: rows of objects with the same keys. */
export const table = (rows) => {
  const keys = Object.keys(rows[0])
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)))
  const line = (cells) => cells.map((c, i) => String(c).padEnd(width[i])).join("  ")
  console.log(line(keys))
  for (const r of rows) console.log(line(keys.map((k) => r[k])))
}
