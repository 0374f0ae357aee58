/**
 * Sizes and rates in the unit that fits a person's eye. No imports: the traffic report's page script uses it too.
 */

const binaryUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]

const short = (n: number): string =>
  n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/\.?0+$/, "")

/** A size given in MB (as the service reports it, MiB) in the unit that fits: `340 MiB`, `1.2 GiB`. */
export const humanSize = (megabytes: number): string => {
  let value = megabytes * 1024 * 1024
  let unit = 0
  while (value >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${short(value)} ${binaryUnits[unit]}`
}

/** A rate given in Mbps in the unit that fits: `340 Mbps`, `1.2 Gbps`, `850 kbps`. */
export const humanRate = (mbps: number): string =>
  mbps >= 1000 ? `${short(mbps / 1000)} Gbps` : mbps >= 1 ? `${short(mbps)} Mbps` : `${short(mbps * 1000)} kbps`
