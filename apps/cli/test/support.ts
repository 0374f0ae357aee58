/**
 * Runs the built `azcdn` as a subprocess, and talks to an emulator on a loopback port through its control API.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Server } from "@org/cdn-emulator"
import { expect } from "vitest"

/** The launcher users run (`azcdn`): from the startup snapshot when there is one for this Node, else the bundle. */
export const bin = fileURLToPath(new URL("../dist/azcdn", import.meta.url))

/** The seed document's example, present in every fresh emulator. */
export const seed = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
} as const

/** The key the tests' emulators accept: its value must never show in any output. */
export const testKey = { id: "cli-test-key", value: "s3cr3t-K3y-Value-never-printed-7f1c" } as const

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Added to a clean environment (no AZURE_CDN_* from the caller's); undefined removes a variable. */
  readonly env?: Record<string, string | undefined>
  /** Written to stdin, which is then closed. */
  readonly input?: string
}

// What azcdn keeps between runs (the purge quota's count) goes to a folder of the test run's, not the user's.
const stateHome = mkdtempSync(join(tmpdir(), "azcdn-test-state-"))

// The caller's own AZURE_CDN_* settings must not leak into a test.
const cleanEnv = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("AZURE_CDN_")) env[name] = value
  env.XDG_STATE_HOME = stateHome
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

/** Starts `azcdn` with `args`, for tests that talk to it while it runs. */
export const start = (args: ReadonlyArray<string>, options: RunOptions = {}): ChildProcess =>
  spawn(bin, args, { env: cleanEnv(options.env), stdio: ["pipe", "pipe", "pipe"] })

/** A running `azcdn`: what it wrote so far, a wait for some text, and its end. */
export const running = (args: ReadonlyArray<string>, options: RunOptions = {}) => {
  const child = start(args, options)
  const output = { stdout: "", stderr: "" }
  const watchers: Array<() => void> = []
  const onData = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    output[stream] += chunk
    for (const watch of watchers) watch()
  }
  child.stdout?.on("data", onData("stdout"))
  child.stderr?.on("data", onData("stderr"))
  child.stdin?.end(options.input ?? "")
  const exit = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => {
      // Whatever the command, the key value is never written anywhere.
      expect(output.stdout + output.stderr).not.toContain(testKey.value)
      resolve({ code, signal, ...output })
    })
  })
  /** Resolves once `stream` matches `pattern`. */
  const waitFor = (stream: "stdout" | "stderr", pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output[stream].match(pattern)
        if (match !== null) resolve(match)
      }
      watchers.push(check)
      check()
      exit.then((result) => reject(new Error(`azcdn exited (${result.code}) before ${pattern}: ${result.stderr}`)))
    })
  return { child, exit, waitFor }
}

/** Runs `azcdn` to the end. Async: the emulator answering it runs in this process. */
export const azcdn = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<RunResult> =>
  running(args, options).exit

/**
 * Runs another program (a shell, util-linux's script) to its end with exactly `env`, without blocking this process
 * (the emulator answering it runs here): its exit code and what it wrote.
 */
export const runProgram = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env: NodeJS.ProcessEnv; readonly cwd?: string }
) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** An emulator on a loopback port that accepts `testKey`, with env settings that reach it. */
export const startEmulator = async (options: Server.ServeOptions = {}) => {
  const running = await Server.start({ keys: [testKey], ...options })
  const env = { AZURE_CDN_BASE_URL: running.url, AZURE_CDN_KEY_ID: testKey.id, AZURE_CDN_KEY_VALUE: testKey.value }
  return { ...running, env }
}

const control = async (base: string, method: string, path: string, body?: unknown): Promise<unknown> => {
  const response = await fetch(`${base}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } })
  })
  if (!response.ok) throw new Error(`${method} /_emulator/${path}: ${response.status} ${await response.text()}`)
  return response.status === 204 ? undefined : response.json()
}

/** One request as the emulator logged it. */
export interface LoggedRequest {
  readonly method: string
  readonly path: string
  readonly date: string | null
  readonly keyId: string | null
  readonly signatureValid: boolean
  readonly status: number
  readonly outcome: string
  readonly correlationId: string
}

/** The emulator's control API. */
export const emulatorControl = (base: string) => ({
  reset: () => control(base, "POST", "reset"),
  setFaults: (faults: unknown) => control(base, "PUT", "faults", faults),
  requests: () => control(base, "GET", "requests") as Promise<ReadonlyArray<LoggedRequest>>,
  createOperation: (operation: Record<string, unknown>) =>
    control(base, "POST", "operations", operation) as Promise<{ readonly Id: string }>,
  putEndpoint: (endpoint: Record<string, unknown>) => control(base, "POST", "endpoints", endpoint),
  setClockOffset: (offsetMs: number) => control(base, "PUT", "clock", { OffsetMs: offsetMs }),
  setFailures: (failures: {
    readonly Urls?: ReadonlyArray<string>
    readonly Prefixes?: ReadonlyArray<string>
    readonly Bindings?: boolean
  }) => control(base, "PUT", "failures", failures)
})

/** The `operation get` arguments for the seed operation. */
export const getSeed = (...more: ReadonlyArray<string>): Array<string> => [
  "operation",
  "get",
  seed.operationId,
  "--subscription",
  seed.subscriptionId,
  "--endpoint",
  seed.endpointId,
  ...more
]

/** Non-empty lines of a stream's text. */
export const lines = (text: string): Array<string> => text.split("\n").filter((line) => line.trim() !== "")

/** `--subscription` and `--endpoint` of the seed endpoint. */
export const seedEndpoint = ["--subscription", seed.subscriptionId, "--endpoint", seed.endpointId] as const
