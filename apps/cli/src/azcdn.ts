/**
 * The bundle's entry: answers `--version` before anything else loads, then hands over to the command tree.
 */
import { loadBin } from "./LazyBin.js"
import { version } from "./Version.js"

const args = process.argv.slice(2)

if (args.length === 1 && args[0] === "--version") {
  // The commonest call in scripts: no Effect, no command tree, just the string.
  process.stdout.write(`${version}\n`)
} else {
  loadBin().main(process.argv)
}
