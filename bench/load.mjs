// One measured load run: autocannon on loopback against a server process, with that process's CPU read from /proc.
import autocannon from "autocannon"
import { cpuSeconds } from "./process-stats.mjs"

/**
 * Sends requests over `connections` keep-alive connections for `duration` seconds as fast as the server answers, or
 * `amount` of them at `rate` requests per second in all, and reports the server's CPU per request
 * (from /proc, not wall time), requests/s, p50/p99 latency and the status counts.
 */
export const measure = async ({ pid, url, headers = {}, connections = 16, amount, duration, rate }) => {
  const cpuBefore = cpuSeconds(pid)
  const started = performance.now()
  const result = await autocannon({
    url,
    headers,
    connections,
    // A run of `amount` requests ends on autocannon's next one-second tick: full-speed runs go by `duration`.
    ...(duration === undefined ? { amount } : { duration }),
    // A fixed total rate: contenders compared at the same load do the same number of event-loop turns.
    ...(rate === undefined ? {} : { overallRate: rate }),
    timeout: 10
  })
  const cpu = cpuSeconds(pid) - cpuBefore
  const seconds = duration ?? (performance.now() - started) / 1000
  const total = result.requests.total
  return {
    requests: total,
    ok: result["2xx"],
    notOk: result.non2xx + result.errors + result.timeouts,
    cpuMicrosPerRequest: (cpu * 1e6) / total,
    requestsPerSecond: total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99
  }
}
