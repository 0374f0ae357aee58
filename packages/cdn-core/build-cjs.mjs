// `@org/cdn-core/promise` for `require()` as well as `import`: the facade and the library's own code in one CommonJS
// file; effect, @effect/platform and https-proxy-agent stay outside (each ships CommonJS of its own).
import { writeFile } from "node:fs/promises"
import { build } from "esbuild"

await build({
  entryPoints: ["src/promise.ts"],
  outfile: "dist/promise.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  packages: "external",
  legalComments: "none",
  logLevel: "warning"
})
// The types for `require()` are those of the ESM build.
await writeFile("dist/promise.d.cts", 'export * from "./promise.js"\n')
