// Bundles the CLI into one file, dist/azcdn.cjs: a small entry that answers --version on its own, with the command
// tree (bin.ts and every dependency but Node's own modules) embedded as a string and compiled only when needed.
// Then writes V8's code cache of that code beside it (dist/azcdn.<hash>.code-cache), which spares most of the
// compiling at every start; without it, or with another Node, the bundle compiles as usual.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmod, readFile, rm, writeFile } from "node:fs/promises"
import { build } from "esbuild"

const here = (path) => new URL(path, import.meta.url).pathname
const { version } = JSON.parse(await readFile(here("package.json"), "utf8"))
const outfile = here("dist/azcdn.cjs")

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // Less text for V8 to read at every start.
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  define: { __AZCDN_VERSION__: JSON.stringify(version) }
}

// The command tree as CommonJS, wrapped the way Node wraps a module so that one compile gives its exports.
const bin = await build({ ...common, entryPoints: [here("src/bin.ts")], write: false, outfile: "bin.js" })
const binSource = `(function (exports, require, module) {${bin.outputFiles[0].text}\n})`
// V8 checks a cache against the source's length only: the name says which source it belongs to.
const codeCache = `azcdn.${createHash("sha256").update(binSource).digest("hex").slice(0, 16)}.code-cache`

await rm(here("dist"), { recursive: true, force: true })
await build({
  ...common,
  entryPoints: [here("src/azcdn.ts")],
  outfile,
  banner: { js: "#!/usr/bin/env node" },
  define: {
    ...common.define,
    __AZCDN_BIN__: JSON.stringify(binSource),
    __AZCDN_CODE_CACHE__: JSON.stringify(codeCache)
  }
})
await chmod(outfile, 0o755)

// Warm the code in a child process, whose output (help text, headers) is captured and dropped.
const sourceFile = here("dist/.bin-source.js")
await writeFile(sourceFile, binSource)
const warm = spawnSync(process.execPath, [here("code-cache.cjs"), sourceFile, here(`dist/${codeCache}`)], {
  encoding: "utf8"
})
await rm(sourceFile)
if (warm.status !== 0) {
  console.error(`build: warming the bundle failed (${warm.status}):\n${warm.stderr}`)
  process.exit(1)
}

// The V8 startup snapshot: the command tree loaded and warmed up at build time, for this exact Node binary. A start
// from it skips evaluating and compiling the bundle. The launcher (dist/azcdn) uses it when it was built by the Node
// on the PATH, else it runs the bundle: a missing or stale snapshot only costs speed.
const snapshotEntry = here("dist/.azcdn-snapshot.cjs")
await build({ ...common, entryPoints: [here("src/snapshot.ts")], outfile: snapshotEntry })
const blob = here("dist/azcdn.blob")
const snapshot = spawnSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", snapshotEntry], {
  encoding: "utf8",
  // Node warns that some of its modules are not verified in snapshots; azcdn's tests run from this snapshot.
  env: { ...process.env, NODE_NO_WARNINGS: "1" }
})
await rm(snapshotEntry)
if (snapshot.status === 0) {
  // The Node that built it, which alone may load it.
  await writeFile(here("dist/azcdn.blob.node"), `${process.execPath}\n`)
} else {
  await rm(blob, { force: true })
  console.warn(
    `build: no startup snapshot (azcdn will start from the bundle): ${snapshot.stderr.trim().split("\n").at(-1)}`
  )
}

const launcher = here("dist/azcdn")
await writeFile(
  launcher,
  `#!/bin/sh
# azcdn: starts from the V8 startup snapshot when the Node on the PATH built it, else from the bundle.
# AZCDN_NO_SNAPSHOT=1 always uses the bundle.
here=$(dirname "$(readlink -f "$0")")
node=$(command -v node) || { echo "azcdn: node is not on the PATH" >&2; exit 1; }
# --version alone is answered by the bundle's entry before it loads anything: faster than any snapshot.
if [ "$#" -eq 1 ] && [ "$1" = "--version" ]; then exec "$node" "$here/azcdn.cjs" --version; fi
if [ -z "$AZCDN_NO_SNAPSHOT" ] && [ -r "$here/azcdn.blob" ] && [ -r "$here/azcdn.blob.node" ]; then
  read -r built < "$here/azcdn.blob.node"
  real=$(readlink -f "$node")
  if [ "$real" = "$built" ] && [ ! "$real" -nt "$here/azcdn.blob" ]; then
    exec "$real" --snapshot-blob "$here/azcdn.blob" -- "$@"
  fi
fi
exec "$node" "$here/azcdn.cjs" "$@"
`
)
await chmod(launcher, 0o755)
