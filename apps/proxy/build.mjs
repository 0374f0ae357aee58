// Bundles the proxy into one file that runs with `node dist/proxy.mjs` (or as the `cdn-proxy` command of the
// installed package) and nothing else beside it.
import { readFile } from "node:fs/promises"
import { build } from "esbuild"

const { version } = JSON.parse(await readFile(new URL("package.json", import.meta.url), "utf8"))

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/proxy.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: "linked",
  // Without comments the bundle is ASCII: V8 keeps its source in memory at one byte per character (a comment's "…"
  // made it two: 7 MB), and 1.1 MB smaller. Names are kept, for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  // Run as a command (`cdn-proxy`, `./proxy.mjs`, the image), node starts with young-generation semi-spaces of 4 MiB
  // instead of 16: under load they are resident in full, and 24 MiB of a 120 MiB budget is too much for a heap whose
  // live set is about 25 MiB (src/Footprint.ts sets what V8 lets a running process change).
  // CommonJS dependencies (undici) call require(): an ESM bundle has to make one.
  banner: {
    js: '#!/usr/bin/env -S node --max-semi-space-size=4\nimport { createRequire } from "node:module"; const require = createRequire(import.meta.url);'
  },
  define: { __PROXY_VERSION__: JSON.stringify(version) },
  logLevel: "warning"
})
