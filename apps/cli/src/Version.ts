/**
 * The CLI's version: written into the bundle by the build, so that `--version` reads no file.
 */
declare const __AZCDN_VERSION__: string | undefined

/** The package version, or `0.0.0-dev` when the sources run unbundled. */
export const version: string = typeof __AZCDN_VERSION__ === "string" ? __AZCDN_VERSION__ : "0.0.0-dev"
