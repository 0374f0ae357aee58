/**
 * The traffic report as one HTML file: styles, the chart script and the data inlined, nothing fetched (its Content
 * Security Policy forbids it), the summary and the per-day table readable even with scripts off.
 */
import type { DaySummary, Peak, TrafficSummary } from "@org/cdn-core/TrafficReport"
import { inZone } from "@org/cdn-core/TrafficReport"
import { humanRate, humanSize } from "../Units.js"
import { pageData } from "./PageData.js"

// Written into the bundle by the build: the page script (with uPlot) and uPlot's stylesheet.
declare const __AZCDN_REPORT_SCRIPT__: string | undefined
declare const __AZCDN_REPORT_STYLE__: string | undefined

/** What the report says about itself. */
export interface ReportHeading {
  readonly subscriptionId: string
  readonly startTime: Date
  readonly endTime: Date
  readonly granularity: string
  readonly generatedAt: Date
  readonly generator: string
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }
const html = (text: string): string => text.replace(/[&<>"']/g, (c) => escapes[c] as string)

// Inside <script>: no `</script` may end the element early (`<\/` reads the same in a string or a pattern).
const scriptText = (text: string): string => text.replace(/<\/(script)/gi, "<\\/$1")
const jsonText = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029")

const buckets: Record<string, string> = {
  PerFiveMinutes: "per five minutes",
  PerHour: "per hour",
  PerDay: "per day"
}

const style = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; color: #111827; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; }
header p, footer p { color: #4b5563; margin: 4px 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; margin: 20px 0; }
.card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px 16px; }
.card dt { color: #4b5563; font-size: 0.85rem; }
.card dd { margin: 4px 0 0; font-size: 1.4rem; font-weight: 600; }
.card dd small { display: block; font-size: 0.8rem; font-weight: 400; color: #4b5563; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 6px 10px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { color: #4b5563; font-weight: 600; }
tfoot td { font-weight: 600; }
.endpoint { break-inside: avoid; }
.charts { display: grid; grid-template-columns: 1fr; gap: 8px; }
.chart { min-height: 40px; }
.chart h3 { font-size: 0.95rem; font-weight: 600; margin: 12px 0 4px; color: #374151; }
`

const peakText = (peak: Peak | undefined, minute: (at: number) => string, zone: string) =>
  peak === undefined
    ? `<span class="none">no buckets</span>`
    : `<span data-mbps="${peak.mbps}">${html(humanRate(peak.mbps))}</span> <small>at <time datetime="${new Date(peak.at).toISOString()}">${html(`${minute(peak.at)} ${zone}`)}</time></small>`

const dayRow = (day: DaySummary, minute: (at: number) => string) =>
  `<tr data-day="${day.day}"><td>${day.day}</td>${day.volumeMB
    .map((mb) => `<td data-mb="${mb}">${html(humanSize(mb))}</td>`)
    .join("")}<td data-mb="${day.totalMB}">${html(humanSize(day.totalMB))}</td><td data-mb="${day.originMB}">${html(
    humanSize(day.originMB)
  )}</td><td>${
    day.peak === undefined
      ? "–"
      : `<span data-mbps="${day.peak.mbps}">${html(humanRate(day.peak.mbps))}</span> at ${html(minute(day.peak.at).slice(11))}`
  }</td></tr>`

/** The whole page. */
export const reportHtml = (summary: TrafficSummary, heading: ReportHeading): string => {
  if (typeof __AZCDN_REPORT_SCRIPT__ !== "string" || typeof __AZCDN_REPORT_STYLE__ !== "string") {
    throw new Error("the report's script is built into the azcdn bundle: run the built azcdn (pnpm build)")
  }
  const zone = summary.timeZone
  const { minute } = inZone(zone)
  const range = `${minute(heading.startTime.getTime())} to ${minute(heading.endTime.getTime())} ${zone}`
  const title = `CDN traffic, ${range}`
  const endpoints = summary.endpoints
  const cards = `<dl class="cards" id="summary">
<div class="card"><dt>Total volume from the CDN</dt><dd id="total-volume" data-mb="${summary.volumeMB}">${html(humanSize(summary.volumeMB))}<small>${endpoints.length} endpoint${endpoints.length === 1 ? "" : "s"}</small></dd></div>
<div class="card"><dt>Fetched from the origin</dt><dd id="origin-volume" data-mb="${summary.originVolumeMB}">${html(humanSize(summary.originVolumeMB))}<small>${summary.volumeMB > 0 ? `${((summary.originVolumeMB / summary.volumeMB) * 100).toFixed(1)}% of the CDN's` : "&nbsp;"}</small></dd></div>
<div class="card"><dt>Peak bandwidth${endpoints.length > 1 ? " (all endpoints together)" : ""}</dt><dd id="peak-bandwidth">${peakText(summary.peak, minute, zone)}</dd></div>
</dl>`
  const endpointTable = `<table id="endpoints"><thead><tr><th>Domain</th><th>Endpoint</th><th>Volume</th><th>Origin</th><th>Peak bandwidth</th></tr></thead><tbody>
${endpoints
  .map(
    (endpoint) =>
      `<tr><td>${html(endpoint.domain)}</td><td><code>${html(endpoint.endpointId)}</code></td><td data-mb="${endpoint.volumeMB}">${html(humanSize(endpoint.volumeMB))}</td><td data-mb="${endpoint.originVolumeMB}">${html(humanSize(endpoint.originVolumeMB))}</td><td>${peakText(endpoint.peak, minute, zone)}</td></tr>`
  )
  .join("\n")}
</tbody></table>`
  const charts = endpoints
    .map(
      (endpoint, index) => `<section class="endpoint"><h2>${html(endpoint.domain)}</h2><div class="charts">
<div><h3>Volume ${html(buckets[heading.granularity] ?? heading.granularity)}</h3><div class="chart" data-chart="volume" data-endpoint="${index}"></div></div>
<div><h3>Bandwidth per five minutes</h3><div class="chart" data-chart="bandwidth" data-endpoint="${index}"></div></div>
</div></section>`
    )
    .join("\n")
  const days = `<table id="days"><thead><tr><th>Day (${html(zone)})</th>${endpoints
    .map((endpoint) => `<th>${html(endpoint.domain)}</th>`)
    .join("")}<th>Total</th><th>Origin</th><th>Peak bandwidth</th></tr></thead><tbody>
${summary.days.map((day) => dayRow(day, minute)).join("\n")}
</tbody></table>`
  const unreadable =
    summary.unreadable === 0
      ? ""
      : `<p id="unreadable">${summary.unreadable} bucket${summary.unreadable === 1 ? "" : "s"} with a timestamp that could not be read ${summary.unreadable === 1 ? "is" : "are"} left out of the charts, the peaks and the per-day table; the totals are the service's.</p>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="generator" content="${html(heading.generator)}">
<title>${html(title)}</title>
<style>${__AZCDN_REPORT_STYLE__}${style}</style>
</head>
<body>
<header>
<h1>CDN traffic</h1>
<p>Subscription <code>${html(heading.subscriptionId)}</code>, ${html(range)}. Volume ${html(buckets[heading.granularity] ?? heading.granularity)}, bandwidth per five minutes; times in ${html(zone)}.</p>
</header>
<main>
${cards}
${endpointTable}
${charts}
<h2>Per day</h2>
${days}
</main>
<footer>
${unreadable}
<p>Sizes in binary units (1 MiB = 1,048,576 bytes), as the service counts MB. Made by ${html(heading.generator)} on ${html(`${minute(heading.generatedAt.getTime())} ${zone}`)}.</p>
</footer>
<script id="traffic-data" type="application/json">${jsonText(pageData(summary))}</script>
<script>${scriptText(__AZCDN_REPORT_SCRIPT__)}</script>
</body>
</html>
`
}
