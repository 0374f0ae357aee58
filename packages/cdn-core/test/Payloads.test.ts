/**
 * Every call's request, drawn from its own schemas' arbitraries, put on the wire as the client puts it (path, query,
 * JSON body) and read back as a server reads it (`CdnApi.match`, `CdnApi.readRequest`): the same input comes back.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Redacted, Schema } from "effect"
import { CdnApi } from "../src/index.js"
import { makeCa } from "./certificates.js"

// Fixed seed: the same cases on every run.
const runs = { seed: 20261205, numRuns: 150 }

const ca = makeCa()
const pairs = [ca.valid("cdn.example.cn"), ca.valid("*.example.cn"), ca.traditional(ca.valid("ec.example.cn"))]

// A certificate and key cannot be drawn at random: they come from pairs made with openssl.
const uploads = fc.record(
  {
    pair: fc.constantFrom(...pairs),
    name: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/), { nil: undefined })
  },
  { requiredKeys: ["pair"] }
)

const placeholders = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)

// One request of `call`: its path's IDs, and what its query and body schemas draw.
const requests = (name: CdnApi.CallName) => {
  const call = CdnApi.calls[name] as CdnApi.AnyCall
  const ids = fc.record(Object.fromEntries(placeholders(call.path).map((id) => [id, fc.uuid()])))
  const query = call.query === undefined ? fc.constant({}) : Arbitrary.make(call.query)
  const payload =
    name === "uploadCertificate"
      ? uploads.map(({ pair, name: certificateName }) =>
          Schema.decodeUnknownSync(call.payload as Schema.Schema<unknown, unknown>)({
            PublicCertificate: pair.certificate,
            PrivateKey: pair.key,
            ...(certificateName === undefined ? {} : { CertificateName: certificateName })
          })
        )
      : call.payload === undefined
        ? fc.constant({})
        : Arbitrary.make(call.payload)
  return fc.tuple(ids, query, payload).map(([i, q, p]) => ({ ...i, ...(q as object), ...(p as object) }))
}

// Redacted keys compare by their text.
const comparable = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v]))

describe("every call: decode(encode(x)) is x, through the wire", () => {
  for (const name of Object.keys(CdnApi.calls) as Array<CdnApi.CallName>) {
    it(name, () => {
      const call = CdnApi.calls[name] as CdnApi.AnyCall
      fc.assert(
        fc.property(requests(name), (x) => {
          // Encoded as the client encodes: the path from the IDs, the query and the body from their schemas.
          const path = CdnApi.pathOf(call, x)
          const query =
            call.query === undefined ? {} : (Schema.encodeUnknownSync(call.query)(x) as Record<string, string>)
          const body =
            call.payload === undefined
              ? undefined
              : JSON.parse(JSON.stringify(Schema.encodeUnknownSync(call.payload)(x)))
          // Read back as a server reads it.
          const found = CdnApi.match(call.method, path)
          if (found === undefined || found === "method") throw new Error(`no call at ${path}`)
          expect(found.name).toBe(name)
          const search = new URLSearchParams({ apiVersion: "1.0", ...query }).toString()
          const read = CdnApi.readRequest(call, { params: found.params, query: search, body })
          if (Either.isLeft(read)) throw new Error(read.left.message)
          expect(comparable(read.right as Record<string, unknown>)).toEqual(comparable(x))
        }),
        runs
      )
    })
  }
})
