/**
 * The standard process metrics, under the names Prometheus's Node client gives them (so that existing dashboards
 * and alerts read them): resident memory, CPU seconds, the event loop's lag, the heap. Read when /metrics is asked.
 */
import { monitorEventLoopDelay } from "node:perf_hooks"

// Sampled every 10 ms from start; its mean and p99 since the last scrape are the lag a scrape reports.
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()

const startSeconds = Math.round((Date.now() - performance.now()) / 1000)

const family = (name: string, type: "gauge" | "counter", help: string, value: number): string =>
  `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${Number.isFinite(value) ? value : 0}\n`

/** The process metrics in the Prometheus text format. */
export const processText = (): string => {
  const memory = process.memoryUsage()
  const cpu = process.cpuUsage()
  // The histogram reads in nanoseconds; before its first sample it reads NaN.
  const mean = Number.isNaN(delay.mean) ? 0 : delay.mean / 1e9
  const p99 = delay.percentile(99) / 1e9
  const max = delay.max / 1e9
  delay.reset()
  return [
    family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", memory.rss),
    family("process_cpu_user_seconds_total", "counter", "User CPU time spent in seconds.", cpu.user / 1e6),
    family("process_cpu_system_seconds_total", "counter", "System CPU time spent in seconds.", cpu.system / 1e6),
    family(
      "process_cpu_seconds_total",
      "counter",
      "User and system CPU time spent in seconds.",
      (cpu.user + cpu.system) / 1e6
    ),
    family(
      "process_start_time_seconds",
      "gauge",
      "Start time of the process since the Unix epoch in seconds.",
      startSeconds
    ),
    family("nodejs_eventloop_lag_seconds", "gauge", "Mean event loop lag since the last scrape, in seconds.", mean),
    family(
      "nodejs_eventloop_lag_p99_seconds",
      "gauge",
      "The 99th percentile of the event loop lag since the last scrape.",
      p99
    ),
    family("nodejs_eventloop_lag_max_seconds", "gauge", "The greatest event loop lag since the last scrape.", max),
    family("nodejs_heap_size_used_bytes", "gauge", "Process heap size used from Node.js in bytes.", memory.heapUsed),
    family("nodejs_heap_size_total_bytes", "gauge", "Process heap size from Node.js in bytes.", memory.heapTotal),
    family("nodejs_external_memory_bytes", "gauge", "Node.js external memory size in bytes.", memory.external)
  ].join("")
}
