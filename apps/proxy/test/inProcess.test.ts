import { CdnConfig } from "@org/cdn-core"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import * as Dedupe from "../src/Dedupe.js"
import * as JsonLog from "../src/JsonLog.js"
import * as Listener from "../src/Listener.js"
import * as Metrics from "../src/Metrics.js"
import * as ProxyConfig from "../src/ProxyConfig.js"
import * as Reads from "../src/Reads.js"
import * as Shared from "../src/Shared.js"
import * as Upstream from "../src/Upstream.js"
import * as Writes from "../src/Writes.js"
import { key, seedPath, startEmulator, tokens } from "./support.js"

// The proxy's layers, composed as main.ts composes them, with the log in memory: no process, no stdout.
const proxyIn = (emulatorUrl: string, lines: Array<string>) =>
  Listener.layer.pipe(
    Layer.provide(Layer.merge(Reads.layer, Writes.layer)),
    Layer.provideMerge(Layer.merge(Shared.none, Dedupe.memory)),
    Layer.provide(Upstream.layer),
    Layer.provide(
      Layer.merge(
        ProxyConfig.fromEnv.pipe(
          Layer.provide(
            Layer.setConfigProvider(
              ConfigProvider.fromMap(
                new Map([
                  ["PORT", "0"],
                  ["HOST", "127.0.0.1"],
                  ["PROXY_TOKENS", JSON.stringify([{ name: "ci", token: tokens.ci }])]
                ])
              )
            )
          )
        ),
        CdnConfig.layer({ baseUrl: emulatorUrl, keyId: key.id, keyValue: key.value })
      )
    ),
    Layer.provideMerge(Layer.merge(Metrics.layer, JsonLog.memory(lines)))
  )

describe("the proxy in the test's own process", () => {
  it("serves, counts in the Metrics service, logs through the JsonLog service, flushes the log when it stops", async () => {
    const emulator = await startEmulator()
    const lines: Array<string> = []
    try {
      await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const context = yield* Layer.build(proxyIn(emulator.url, lines))
            const { port } = Context.get(context, Listener.Listening)
            const metrics = Context.get(context, Metrics.Metrics)
            const reply = yield* Effect.promise(() =>
              fetch(`http://127.0.0.1:${port}${seedPath}?apiVersion=1.0`, {
                headers: { authorization: `Bearer ${tokens.ci}` }
              })
            )
            expect(reply.status).toBe(200)
            expect(metrics.prometheusText()).toMatch(
              /^cdn_proxy_requests_total\{route="operation",status="200"\} [1-9]\d*$/m
            )
          })
        )
      )
      // Closed: the batched lines are flushed, one JSON object each, the request among them; no secret in any.
      const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(parsed.map((line) => line.msg)).toEqual(expect.arrayContaining(["listening", "request", "stopped"]))
      expect(parsed.find((line) => line.msg === "request")).toMatchObject({
        route: "operation",
        status: 200,
        token: "ci"
      })
      expect(lines.some((line) => line.includes(tokens.ci) || line.includes(key.value))).toBe(false)
    } finally {
      await emulator.close()
    }
  })
})
