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
  legalComments: "none",
  // CommonJS dependencies (undici) call require(): an ESM bundle has to make one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire } from "node:module"; const require = createRequire(import.meta.url);'
  },
  define: { __PROXY_VERSION__: JSON.stringify(version) },
  logLevel: "warning"
})
