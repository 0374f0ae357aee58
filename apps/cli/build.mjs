// Bundles the CLI into one file, dist/azcdn.cjs (the traffic report's page script and styles inlined in it): a small entry that answers --version on its own, with the command
// tree (bin.ts and every dependency but Node's own modules) embedded as a string and compiled only when needed.
// Then writes V8's code cache of that code beside it (dist/azcdn.<hash>.code-cache), which spares most of the
// compiling at every start; without it, or with another Node, the bundle compiles as usual. Last, install.cjs makes
// the launcher, dist/azcdn (and where a POSIX shell is, the startup snapshot it starts from).
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmod, readFile, rm, writeFile } from "node:fs/promises"
import { build } from "esbuild"

const here = (path) => new URL(path, import.meta.url).pathname
const { version } = JSON.parse(await readFile(here("package.json"), "utf8"))
const outfile = here("dist/azcdn.cjs")

// The traffic report's page: its script (uPlot with it) and uPlot's stylesheet, inlined into every report it writes.
const page = await build({
  entryPoints: [here("src/report/page.ts")],
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2020",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  write: false,
  outfile: "page.js"
})
const pageScript = page.outputFiles[0].text
const pageStyle = await readFile(new URL("node_modules/uplot/dist/uPlot.min.css", import.meta.url), "utf8")
// uPlot's licence (MIT) asks its notice to travel with it: a comment at the top of the script.
const uplotLicense = (await readFile(new URL("node_modules/uplot/LICENSE", import.meta.url), "utf8")).trim()
if (/https?:\/\//.test(pageStyle))
  throw new Error("build: the report's stylesheet names a URL; the page must fetch nothing")

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // Less text for V8 to read at every start.
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  define: {
    __AZCDN_VERSION__: JSON.stringify(version),
    __AZCDN_REPORT_SCRIPT__: JSON.stringify(`/*! uPlot\n${uplotLicense}\n*/\n${pageScript}`),
    __AZCDN_REPORT_STYLE__: JSON.stringify(pageStyle)
  }
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

// The V8 startup snapshot's entry: the command tree loaded and warmed up, built into a blob for the exact Node binary
// that will run it, by install.cjs (here for dist/azcdn, and again when npm installs the package, for bin/azcdn).
await build({ ...common, entryPoints: [here("src/snapshot.ts")], outfile: here("dist/azcdn-snapshot.cjs") })
const install = spawnSync(process.execPath, [here("install.cjs"), "--checkout"], { stdio: "inherit" })
if (install.status !== 0) process.exit(install.status ?? 1)
