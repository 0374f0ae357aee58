/**
 * An answer's body as every transport reads it: its chunks collected up to a limit, then decoded by its
 * `Content-Encoding` (gzip, deflate, br, in the order applied), as UTF-8 text. node:http and undici read through
 * this; fetch decodes by itself, and is held to the same encodings.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib"
import { Either } from "effect"

/** The encodings every transport asks for (`Accept-Encoding`) and decodes. */
export const acceptEncoding = "gzip, deflate, br"

const identity = new Set(["", "identity"])
const known = new Set(["gzip", "x-gzip", "deflate", "br", "identity"])

/** The codings of a `Content-Encoding` header, in the order they were applied. */
export const codingsOf = (header: string | undefined): ReadonlyArray<string> =>
  (header ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => !identity.has(coding))

/** The first coding of `header` no transport decodes, or undefined. */
export const unsupportedCoding = (header: string | undefined): string | undefined =>
  codingsOf(header).find((coding) => !known.has(coding))

/** Why a body could not be decoded: the coding and zlib's reason, e.g. `gzip (incorrect header check)`. */
export interface Undecodable {
  readonly coding: string
  readonly reason: string
}

const decodeOne = (coding: string, body: Buffer, maxBytes: number): Buffer => {
  const options = { maxOutputLength: maxBytes }
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return gunzipSync(body, options)
    case "br":
      return brotliDecompressSync(body, options)
    case "deflate":
      // HTTP's deflate is zlib-wrapped; some servers send the raw stream.
      try {
        return inflateSync(body, options)
      } catch {
        return inflateRawSync(body, options)
      }
    default:
      throw new Error("not one of gzip, deflate, br")
  }
}

/** Gathers a body's chunks; `add` answers false once the body is longer than `maxBytes`. */
export interface Collector {
  readonly add: (chunk: Buffer) => boolean
  /** The body as text, decoded by its codings (the decoded body also at most `maxBytes`). */
  readonly text: () => Either.Either<string, Undecodable>
}

export const collector = (contentEncoding: string | undefined, maxBytes: number): Collector => {
  const chunks: Array<Buffer> = []
  let length = 0
  return {
    add: (chunk) => {
      length += chunk.length
      if (length > maxBytes) return false
      chunks.push(chunk)
      return true
    },
    text: () => {
      let body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
      for (const coding of [...codingsOf(contentEncoding)].reverse()) {
        try {
          body = decodeOne(coding, body, maxBytes)
        } catch (error) {
          const reason =
            error instanceof RangeError ? `longer than ${maxBytes} bytes once decoded` : (error as Error).message
          return Either.left({ coding, reason })
        }
      }
      return Either.right(body.toString("utf8"))
    }
  }
}
