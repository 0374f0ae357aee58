/**
 * The proxy's version: written into the bundle by the build, so that its User-Agent reads no file.
 */
declare const __PROXY_VERSION__: string | undefined

/** The package version, or `0.0.0-dev` when the sources run unbundled (tests in-process). */
export const version: string = typeof __PROXY_VERSION__ === "string" ? __PROXY_VERSION__ : "0.0.0-dev"
