/**
 * V8 settings that keep the proxy's resident memory small, set before anything else is loaded. V8 reads both when it
 * needs them, so they apply however node was started; a flag given on node's command line wins. The third setting,
 * the young generation's size, is fixed when V8 starts: it is in the bundle's first line (see build.mjs).
 */
import { setFlagsFromString } from "node:v8"

const given = (pattern: RegExp) => process.execArgv.some((flag) => pattern.test(flag))

// undici parses answers with llhttp compiled to WebAssembly; optimizing that with TurboFan on the first answers took
// a transient 30 MiB of compiler memory, for no measurable gain on answers of a few hundred bytes.
if (!given(/wasm-tier-up|liftoff/)) setFlagsFromString("--liftoff-only")
// V8 lets the old generation grow to up to 4x what survived the last full collection, a throughput setting for big
// heaps; the proxy's live set is small and steady (measured alone, in a 15 s soak: 189 -> 137 MiB peak, same req/s).
if (!given(/heap-growing-percent/)) setFlagsFromString("--heap-growing-percent=20")
