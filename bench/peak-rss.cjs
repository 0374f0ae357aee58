// Preloaded (-r) into a measured process: writes its peak RSS in KiB to fd 3 as it exits. Given to the bare
// baseline and to azcdn alike, so its own small cost falls on both.
const { writeSync } = require("node:fs")
process.on("exit", () => {
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`)
  } catch {}
})
