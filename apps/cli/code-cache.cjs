// Build step: compiles the command tree exactly as src/LazyBin.ts does, runs a few offline commands so that V8
// compiles what they use, and writes V8's code cache of it. Usage: node code-cache.cjs <bin source> <cache file>
const { readFileSync, writeFileSync } = require("node:fs")
const { Script } = require("node:vm")

const [sourceFile, cacheFile] = process.argv.slice(2)
const seed = [
  "a97459bf-e4c4-4d4f-94e4-b775f0f09f31",
  "5dd0413d-a2f9-442a-b836-128d87753fa9",
  "46fecf3c-e874-49aa-891d-0d4dc93213e0"
]
const commands = [
  ["--help"],
  ["sign", "--method", "GET", "--url", "/x?apiVersion=1.0", "--key-id", "k", "--key-value", "v"],
  ["operation", "get", seed[0], "--subscription", seed[1], "--endpoint", seed[2], "--emulator", "-o", "table"],
  ["operation", "wait", seed[0], "--subscription", seed[1], "--endpoint", seed[2], "--emulator", "-o", "json"]
]

// The commands are offline by construction; a developer's own settings must not change what they do.
for (const name of Object.keys(process.env)) if (name.startsWith("AZURE_CDN_")) delete process.env[name]

const main = async () => {
  const script = new Script(readFileSync(sourceFile, "utf8"), { filename: "azcdn.cjs#bin.js" })
  const module = { exports: {} }
  script.runInThisContext()(module.exports, require, module)
  const codes = []
  for (const command of commands) codes.push(await module.exports.run(["node", "azcdn", ...command]))
  if (codes.some((code) => code !== 0)) throw new Error(`a warm-up command failed: exit codes ${codes.join(", ")}`)
  writeFileSync(cacheFile, script.createCachedData())
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
