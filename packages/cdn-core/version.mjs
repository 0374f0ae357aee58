// Writes src/Version.ts from package.json, so that the library knows its version (its User-Agent) without reading a
// file at run time, bundled or not.
import { readFileSync, writeFileSync } from "node:fs"

const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"))
const file = new URL("src/Version.ts", import.meta.url)
const text = `// Written by version.mjs from package.json at every build; a test checks they agree.\n/** The version of @org/cdn-core. */\nexport const version = ${JSON.stringify(version)}\n`
if (readFileSync(file, "utf8") !== text) writeFileSync(file, text)
