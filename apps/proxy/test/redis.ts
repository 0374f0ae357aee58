/**
 * A real redis-server for the tests (Debian's `redis-server`, which .ci/run installs), on a free 127.0.0.1 port,
 * without persistence; stopped and started again to play an outage.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createConnection } from "node:net"
import { freePort } from "./support.js"

/** True when redis-server can run here. */
export const available = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).status === 0

if (!available) {
  // Visible in the test output: the multi-replica suite did not run.
  console.warn(
    "cdn-proxy tests: redis-server is not installed (apt-get install -y redis-server): the Redis suite is skipped"
  )
  if (process.env.CI === "true") throw new Error("redis-server is required in CI")
}

const ping = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"))
    socket.once("data", (data) => {
      socket.destroy()
      resolve(data.toString().startsWith("+PONG"))
    })
    socket.once("error", () => resolve(false))
  })

export interface RunningRedis {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
}

/** Starts a redis-server and waits until it answers PING. */
export const startRedis = async (): Promise<RunningRedis> => {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore"
    })
    for (let i = 0; i < 100; i++) {
      if (await ping(port)) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`redis-server on port ${port} did not answer`)
  }
  const stop = async () => {
    const running = child
    if (running === undefined || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once("exit", resolve))
    running.kill("SIGKILL")
    await exited
  }
  await start()
  return { url: `redis://127.0.0.1:${port}`, port, stop, start }
}
