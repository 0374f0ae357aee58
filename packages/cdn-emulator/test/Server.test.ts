import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { CdnClient, CdnConfig, type Errors } from "@org/cdn-core"
import { Effect, Layer } from "effect"
import * as Server from "../src/Server.js"
import { keyId, keyValue, seed, seedPath, seedRefUpper } from "./support.js"

// A real socket and the real clock: these tests run live.
const clientFor = (baseUrl: string, config: Partial<CdnConfig.CdnConfigInput> = {}) =>
  CdnClient.CdnClient.Default.pipe(
    Layer.provide(CdnConfig.layer({ baseUrl, keyId, keyValue, ...config })),
    Layer.provide(FetchHttpClient.layer)
  )

const getSeed = (baseUrl: string, config?: Partial<CdnConfig.CdnConfigInput>) =>
  Effect.flatMap(CdnClient.CdnClient, (client) => client.getOperationResponse(seedRefUpper)).pipe(
    Effect.provide(clientFor(baseUrl, config))
  )

const controlJson = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, json: text === "" ? undefined : (JSON.parse(text) as unknown) }
  })

const putFaults = (baseUrl: string, faults: unknown) =>
  controlJson(`${baseUrl}/_emulator/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults)
  })

describe("Server on a real port", () => {
  it.scopedLive("serves the seed round trip on 127.0.0.1 and logs the lower-case path", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({ port: 0 })
      expect(running.host).toBe("127.0.0.1")
      expect(running.port).toBeGreaterThan(0)
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`)

      const response = yield* getSeed(running.url)
      expect(response.value).toMatchObject({ id: seed.operationId, type: "Purge", status: "Succeeded" })
      expect(response.correlationId).toBeDefined()

      const log = yield* controlJson(`${running.url}/_emulator/requests`)
      expect(log.json).toEqual([
        expect.objectContaining({
          path: seedPath,
          signatureValid: true,
          outcome: "ok",
          correlationId: response.correlationId
        })
      ])
      // The same log, read in-process.
      expect(running.emulator.log.all()).toHaveLength(1)
    })
  )

  it.scopedLive("corrects a skewed clock over HTTP from the response's Date header", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({ clockOffset: "1 hour" })
      expect((yield* getSeed(running.url)).value.status).toBe("Succeeded")
      expect(running.emulator.log.all().map((entry) => entry.outcome)).toEqual(["AuthorizationHeaderExpired", "ok"])
    })
  )

  it.scopedLive("a drop fault resets the socket: TransportError, and the server still answers the next request", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({})
      expect((yield* putFaults(running.url, { drop: { times: 1 } })).status).toBe(200)
      const error = (yield* Effect.flip(getSeed(running.url, { retry: { maxAttempts: 1 } }))) as Errors.TransportError
      expect(error._tag).toBe("TransportError")
      expect(error.message).toMatch(/other side closed|socket|ECONNRESET|UND_ERR_SOCKET/i)
      expect((yield* getSeed(running.url, { retry: { maxAttempts: 1 } })).value.status).toBe("Succeeded")
      expect(running.emulator.log.all().map((entry) => entry.outcome)).toEqual(["drop", "ok"])
    })
  )

  it.scopedLive("a dropped connection within the retry budget is retried over HTTP", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({})
      yield* putFaults(running.url, { drop: { times: 1 } })
      const response = yield* getSeed(running.url, { retry: { maxAttempts: 2, baseDelay: "10 millis" } })
      expect(response.value.status).toBe("Succeeded")
      expect(running.emulator.log.all().map((entry) => entry.outcome)).toEqual(["drop", "ok"])
    })
  )

  it.scopedLive("HTML 502 and throttling come over HTTP as they do in-process", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({})
      yield* putFaults(running.url, { html: { every: 1 } })
      const html = yield* Effect.flip(getSeed(running.url, { retry: { maxAttempts: 1 } }))
      expect(html).toMatchObject({ _tag: "UnreadableResponse", reason: "not-json", status: 502 })
      yield* putFaults(running.url, { throttle: { every: 1, retryAfterSeconds: 7 } })
      const throttled = yield* Effect.flip(getSeed(running.url, { retry: { maxAttempts: 1 } }))
      expect(throttled).toMatchObject({ _tag: "RequestThrottled", status: 429, retryAfterMs: 7000 })
    })
  )

  it.scopedLive("a client that gives up on a slow answer: RequestTimeout, and the log says abandoned, not ok", () =>
    Effect.gen(function* () {
      const running = yield* Server.serve({})
      yield* putFaults(running.url, { latencyMs: 1500 })
      const error = yield* Effect.flip(
        getSeed(running.url, { attemptTimeout: "200 millis", retry: { maxAttempts: 1 } })
      )
      expect(error).toMatchObject({ _tag: "RequestTimeout", timeoutMs: 200 })
      // The abort reaches the server at once; an answer it kept computing would log "ok" only after 1.5 s.
      const log = () => running.emulator.log.all()
      yield* Effect.sleep("50 millis").pipe(Effect.repeat({ until: () => log().length > 0, times: 40 }))
      expect(log().map((entry) => [entry.status, entry.outcome])).toEqual([[0, "abandoned"]])
    })
  )

  it.live("a closed port: TransportError naming ECONNREFUSED, quickly", () =>
    Effect.gen(function* () {
      // A port that was just free and is closed again.
      const running = yield* Effect.promise(() => Server.start())
      yield* Effect.promise(() => running.close())
      const started = Date.now()
      const error = (yield* Effect.flip(getSeed(running.url, { retry: { maxAttempts: 1 } }))) as Errors.TransportError
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.url).toContain(`127.0.0.1:${running.port}`)
      expect(Date.now() - started).toBeLessThan(2000)
    })
  )

  it.live("Server.start serves until close()", () =>
    Effect.gen(function* () {
      const running = yield* Effect.promise(() => Server.start({ clockOffset: "1 minute" }))
      const clock = yield* controlJson(`${running.url}/_emulator/clock`)
      expect(clock).toMatchObject({ status: 200, json: { OffsetMs: 60_000 } })
      yield* Effect.promise(() => running.close())
      const after = yield* Effect.promise(() =>
        fetch(`${running.url}/_emulator/clock`).then(
          () => "answered",
          (error: Error) => String((error.cause as { code?: string } | undefined)?.code)
        )
      )
      expect(after).toBe("ECONNREFUSED")
    })
  )
})

const binPath = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

/** Resolves with the first stdout match of `pattern`, or rejects after `ms`. */
const waitForOutput = (child: ChildProcess, pattern: RegExp, ms = 10_000) =>
  new Promise<RegExpMatchArray>((resolve, reject) => {
    let out = ""
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; output: ${out}`)), ms)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const match = pattern.exec(out)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match)
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}; output: ${out}`)))
  })

const waitForExit = (child: ChildProcess, ms = 10_000) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    if (child.exitCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode })
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal })
    })
  })

// Without the AZURE_CDN_* variables the bin uses the demo key, which is also the tests' key.
const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AZURE_CDN_")))

const runBin = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = cleanEnv()) =>
  Effect.acquireRelease(
    Effect.sync(() => spawn(process.execPath, [binPath, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })),
    (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

describe("the cdn-emulator bin", () => {
  it.effect("is built (run `pnpm --filter @org/cdn-emulator build` first)", () =>
    Effect.sync(() => expect(existsSync(binPath)).toBe(true))
  )

  it.scopedLive("`--port 0` prints its URL, answers the seed call, and exits 0 on SIGTERM", () =>
    Effect.gen(function* () {
      const child = yield* runBin(["--port", "0"])
      const [line, url] = yield* Effect.promise(() =>
        waitForOutput(child, /cdn-emulator listening on (http:\/\/127\.0\.0\.1:\d+) \(key ID ([^)]+)\)/)
      )
      expect(line).toContain("key ID emulator-key")
      expect((yield* getSeed(url!)).value.status).toBe("Succeeded")

      child.kill("SIGTERM")
      expect(yield* Effect.promise(() => waitForExit(child))).toEqual({ code: 0, signal: null })
    })
  )

  it.scopedLive("takes its key from AZURE_CDN_KEY_ID / AZURE_CDN_KEY_VALUE", () =>
    Effect.gen(function* () {
      const env = { ...cleanEnv(), AZURE_CDN_KEY_ID: "my-key", AZURE_CDN_KEY_VALUE: "my-secret" }
      const child = yield* runBin(["--port", "0"], env)
      const [, url] = yield* Effect.promise(() => waitForOutput(child, /listening on (\S+) \(key ID my-key\)/))
      expect((yield* Effect.flip(getSeed(url!, { retry: { maxAttempts: 1 } })))._tag).toBe("ApiKeyNotFound")
      const ok = yield* getSeed(url!, { keyId: "my-key", keyValue: "my-secret" })
      expect(ok.value.status).toBe("Succeeded")
      child.kill("SIGTERM")
      yield* Effect.promise(() => waitForExit(child))
    })
  )

  it.scopedLive("a bad --port is refused with exit code 2", () =>
    Effect.gen(function* () {
      const child = yield* runBin(["--port", "99999"])
      const [message] = yield* Effect.promise(() => waitForOutput(child, /--port must be 0-65535, got 99999/))
      expect(message).toBeDefined()
      expect((yield* Effect.promise(() => waitForExit(child))).code).toBe(2)
    })
  )
})
