/**
 * What the end-to-end tests share: an emulator on a 127.0.0.1 port (in this process, so its log and faults are at
 * hand), the built proxy bundle as a child process on another port, and helpers to call both.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { Server, Store } from "@org/cdn-emulator"
import { expect } from "vitest"

export const bundle = fileURLToPath(new URL("../dist/proxy.mjs", import.meta.url))
if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run pnpm build first`)

export const key = { id: "proxy-test-key", value: "proxy-test-key-value-s3cr3t" }
export const tokens = {
  ci: "ci-token-0123456789abcdef-s3cr3t",
  scoped: "scoped-token-0123456789abcdef-s3cr3t",
  hashed: "hashed-token-0123456789abcdef-s3cr3t"
}
/** Every string that must never show in a log line. */
export const secrets = [key.value, ...Object.values(tokens), "Bearer ", "AzureCDN "]

export const seed = Store.seed
export const otherSubscription = "11111111-2222-4333-8444-555555555555"
export const seedPath = `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${seed.operationId}`

/** PROXY_TOKENS for the tests: one for all, one scoped to another subscription, one given as its SHA-256. */
export const tokensJson = JSON.stringify([
  { name: "ci", token: tokens.ci },
  { name: "scoped", token: tokens.scoped, subscriptions: [otherSubscription.toUpperCase()] },
  { name: "hashed", sha256: "" }
])

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

export type Emulator = Awaited<ReturnType<typeof Server.start>>

/** An emulator on a 127.0.0.1 port that accepts the test key. */
export const startEmulator = (): Promise<Emulator> =>
  Server.start({ port: 0, keys: [{ id: key.id, value: key.value }] })

/** Creates an operation in the emulator; `DurationMs` 0 makes it terminal at once. */
export const createOperation = async (emulator: Emulator, durationMs: number): Promise<string> => {
  const response = await fetch(`${emulator.url}/_emulator/operations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ SubscriptionId: seed.subscriptionId, EndpointId: seed.endpointId, DurationMs: durationMs })
  })
  const json = (await response.json()) as { Id: string }
  return `/subscriptions/${seed.subscriptionId}/endpoints/${seed.endpointId}/operations/${json.Id}`
}

/** The API requests that reached the emulator (the control API is not logged). */
export const upstreamCalls = (emulator: Emulator, path?: string) =>
  emulator.emulator.log.all().filter((entry) => path === undefined || entry.path === path.split("?")[0])

/** When each upstream call reached the emulator (epoch ms), in order. */
export const upstreamTimes = (emulator: Emulator): Array<number> =>
  upstreamCalls(emulator)
    .map((entry) => Date.parse(entry.at))
    .sort((a, b) => a - b)

/** The most calls in any one-second window of `times` (ordered). */
export const busiestSecond = (times: ReadonlyArray<number>): number =>
  Math.max(0, ...times.map((start) => times.filter((t) => t >= start && t < start + 1000).length))

export interface RunningProxy {
  readonly url: string
  readonly child: ChildProcess
  /** Every stdout line so far. */
  readonly lines: Array<string>
  readonly stderr: Array<string>
  /** Resolves with the exit code once the process ended. */
  readonly exited: Promise<number | null>
  /** SIGTERM, then the exit code. */
  readonly stop: () => Promise<number | null>
}

/** Every line any proxy printed in this test file, to check for secrets at the end. */
export const allLines: Array<string> = []

const sha256Hex = async (text: string) => {
  const { createHash } = await import("node:crypto")
  return createHash("sha256").update(text).digest("hex")
}

/** The tokens JSON with the hashed token's digest filled in. */
export const proxyTokens = async (): Promise<string> =>
  tokensJson.replace('"sha256":""', `"sha256":"${await sha256Hex(tokens.hashed)}"`)

/** Runs `node dist/proxy.mjs` with env (no inherited AZURE_* or PROXY_*), without waiting for it to listen. */
export const spawnProxy = (env: Record<string, string>): Omit<RunningProxy, "url" | "stop"> => {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AZURE_CDN_|PROXY_|PORT$|HOST$)/.test(name))
  ) as Record<string, string>
  const child = spawn(process.execPath, [bundle], { env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  const lines: Array<string> = []
  const stderr: Array<string> = []
  const collect = (into: Array<string>) => {
    let rest = ""
    return (chunk: Buffer) => {
      rest += chunk.toString("utf8")
      const parts = rest.split("\n")
      rest = parts.pop() ?? ""
      for (const line of parts) {
        into.push(line)
        allLines.push(line)
      }
    }
  }
  child.stdout!.on("data", collect(lines))
  child.stderr!.on("data", collect(stderr))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, lines, stderr, exited }
}

/** Starts the proxy in front of the emulator and waits until /healthz answers. */
export const startProxy = async (
  emulator: Emulator,
  env: Record<string, string | undefined> = {}
): Promise<RunningProxy> => {
  const port = await freePort()
  const given = {
    PORT: String(port),
    HOST: "127.0.0.1",
    AZURE_CDN_BASE_URL: emulator.url,
    AZURE_CDN_KEY_ID: key.id,
    AZURE_CDN_KEY_VALUE: key.value,
    PROXY_TOKENS: await proxyTokens(),
    ...env
  }
  // A variable given as undefined is left out.
  const running = spawnProxy(
    Object.fromEntries(Object.entries(given).filter((entry): entry is [string, string] => entry[1] !== undefined))
  )
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (running.child.exitCode !== null) throw new Error(`proxy exited: ${running.stderr.join("\n")}`)
    const up = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false
    )
    if (up) {
      const stop = () => {
        running.child.kill("SIGTERM")
        return running.exited
      }
      return { ...running, url, stop }
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  running.child.kill("SIGKILL")
  throw new Error("the proxy did not answer /healthz within 5 seconds")
}

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

/** A GET (or other method) to the proxy; the body parsed when it is JSON. */
export const call = async (
  url: string,
  options: {
    readonly token?: string
    readonly method?: string
    readonly headers?: Record<string, string>
    /** Sent as JSON (a string as it is), with content-type application/json unless headers say otherwise. */
    readonly body?: unknown
  } = {}
): Promise<Reply> => {
  const headers: Record<string, string> = {
    ...(options.body === undefined ? {} : { "content-type": "application/json" }),
    ...options.headers
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body)
  const response = await fetch(url, {
    method: options.method ?? "GET",
    headers,
    ...(body === undefined ? {} : { body })
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

/** The service's error body with this type and any message. */
export const errorBody = (type: string) => ({
  Succeeded: false,
  ErrorInfo: { Type: type, Message: expect.any(String) }
})

/** No line any proxy printed holds a token, the key or an Authorization header. */
export const leakedSecrets = (lines: ReadonlyArray<string>): Array<string> =>
  lines.filter((line) => secrets.some((secret) => line.includes(secret)))
