// Bundles the proxy into one file that runs with `node dist/proxy.mjs` and nothing else beside it.
import { build } from "esbuild"

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
  banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  logLevel: "warning"
})
