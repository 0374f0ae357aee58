/**
 * The command tree's code, compiled only when a command runs. The build embeds the bundled `bin.ts` in the entry
 * file as a string: V8 skims a string in a few milliseconds, while parsing the same code costs a hundred or more,
 * and `azcdn --version` needs none of it.
 */
import { readFileSync } from "node:fs"
import { Script } from "node:vm"

/** The bundled `bin.ts`: a CommonJS module as a function expression of (exports, require, module). */
declare const __AZCDN_BIN__: string

/** The name of V8's code cache of that source, which the build writes beside the bundle. */
declare const __AZCDN_CODE_CACHE__: string

const codeCachePath = `${__dirname}/${__AZCDN_CODE_CACHE__}`

// A cache from another Node version or another build is refused by V8 itself, which then compiles as usual.
const readCodeCache = (): Buffer | undefined => {
  try {
    return readFileSync(codeCachePath)
  } catch {
    return undefined
  }
}

/** Compiles the embedded `bin.ts` (from the code cache when it fits), runs it, and returns its exports. */
export const loadBin = (): typeof import("./bin.js") => {
  const cachedData = readCodeCache()
  const script = new Script(__AZCDN_BIN__, {
    filename: `${__filename}#bin.js`,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  const module = { exports: {} as typeof import("./bin.js") }
  script.runInThisContext()(module.exports, require, module)
  return module.exports
}
