/**
 * The traffic report's script, run by the browser that opens the file: draws each endpoint's volume and bandwidth
 * from the data embedded in the page. Bundled with uPlot at build time and inlined: the page fetches nothing.
 */
import uPlot from "uplot"
import { humanRate, humanSize } from "../Units.js"
import type { PageData, Series } from "./PageData.js"

const data = JSON.parse(document.getElementById("traffic-data")?.textContent ?? "null") as PageData

const colours = { cdn: "#2563eb", origin: "#ea580c" }

// Times in the report's zone, whatever the reader's machine says, on a 24-hour clock; a tick at midnight shows the day.
const inZone = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), data.timeZone)
const dayOf = uPlot.fmtDate("{YYYY}-{MM}-{DD}")
const clockOf = uPlot.fmtDate("{HH}:{mm}")
const minuteOf = uPlot.fmtDate("{YYYY}-{MM}-{DD} {HH}:{mm}")
const tick = (seconds: number) => {
  const at = inZone(seconds)
  return at.getHours() === 0 && at.getMinutes() === 0 ? dayOf(at) : clockOf(at)
}

const chart = (element: HTMLElement, series: Series, unit: (value: number) => string) => {
  const options: uPlot.Options = {
    width: element.clientWidth,
    height: 220,
    tzDate: inZone,
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    series: [
      { label: data.timeZone, value: (_, seconds) => (seconds == null ? "–" : minuteOf(inZone(seconds))) },
      {
        label: "CDN",
        stroke: colours.cdn,
        fill: "rgba(37, 99, 235, 0.12)",
        width: 1.5,
        value: (_, v) => (v == null ? "–" : unit(v))
      },
      { label: "Origin", stroke: colours.origin, width: 1.5, value: (_, v) => (v == null ? "–" : unit(v)) }
    ],
    axes: [{ values: (_, splits) => splits.map(tick) }, { size: 76, values: (_, splits) => splits.map(unit) }]
  }
  // uPlot reads the columns and never writes them.
  return new uPlot(options, [series.t, series.cdn, series.origin] as unknown as uPlot.AlignedData, element)
}

const plots: Array<{ plot: uPlot; element: HTMLElement }> = []
for (const element of document.querySelectorAll<HTMLElement>("[data-chart]")) {
  const endpoint = data.endpoints[Number(element.dataset.endpoint)]
  const kind = element.dataset.chart === "bandwidth" ? "bandwidth" : "volume"
  const series = endpoint?.[kind]
  if (series === undefined || series.t.length === 0) {
    element.textContent = "No buckets in this range."
    continue
  }
  plots.push({ plot: chart(element, series, kind === "volume" ? humanSize : humanRate), element })
}

// Charts follow the window's width.
let pending = 0
window.addEventListener("resize", () => {
  cancelAnimationFrame(pending)
  pending = requestAnimationFrame(() => {
    for (const { plot, element } of plots) plot.setSize({ width: element.clientWidth, height: 220 })
  })
})

// For whoever checks the page (a test, a script): how many charts were drawn.
document.documentElement.dataset.charts = String(plots.length)
