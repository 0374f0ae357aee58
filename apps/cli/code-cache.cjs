// Build step: compiles the command tree exactly as src/LazyBin.ts does, runs a few offline commands so that V8
// compiles what they use, and writes V8's code cache of it. Usage: node code-cache.cjs <bin source> <cache file>
const { readFileSync, writeFileSync } = require("node:fs")
const { Script } = require("node:vm")

const [sourceFile, cacheFile] = process.argv.slice(2)
const main = async () => {
  const script = new Script(readFileSync(sourceFile, "utf8"), { filename: "azcdn.cjs#bin.js" })
  const module = { exports: {} }
  script.runInThisContext()(module.exports, require, module)
  await module.exports.warmUp()
  writeFileSync(cacheFile, script.createCachedData())
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
