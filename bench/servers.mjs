// The bench's own servers: free loopback ports, and node processes started and awaited until they answer.
import { spawn } from "node:child_process"
import { openSync } from "node:fs"
import { createServer } from "node:net"

/** A free port on 127.0.0.1. */
export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

/** Every process started, killed when the bench exits. */
export const children = []
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL")
})

/** Starts `node <args>` listening on `port`, its stdout to `logFile` (or nowhere), and waits until /healthz answers. */
export const start = async (name, args, env, port, logFile) => {
  const out = logFile === undefined ? "ignore" : openSync(logFile, "a")
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", out, "inherit"] })
  children.push(child)
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before listening`)
    const up = await fetch(`${url}/healthz`).then(
      () => true,
      () => false
    )
    if (up) return { name, child, pid: child.pid, url }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${name} did not listen on ${url} within 10 seconds`)
}
