/**
 * What the install tests share: the packages packed as `pnpm pack` packs them, installed with npm into temporary
 * prefixes (offline: the registry's packages the library needs are linked from this workspace's own copies), a
 * forward proxy that stands for a corporate one, and a TLS front that plays the service on https.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtemp, readFile, realpath } from "node:fs/promises"
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http"
import { type AddressInfo, connect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createServer as createTlsServer } from "node:tls"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const run = promisify(execFile)
export const root = fileURLToPath(new URL("../../../", import.meta.url))

/** The packages as users get them. */
export const packages = {
  core: "packages/cdn-core",
  emulator: "packages/cdn-emulator",
  cli: "apps/cli",
  proxy: "apps/proxy"
} as const

/** Packs every package with pnpm (which writes versions for `catalog:` and `workspace:`); the tarballs' paths. */
export const packAll = async (): Promise<Record<keyof typeof packages, string>> => {
  const into = await mkdtemp(join(tmpdir(), "cdn-packs-"))
  const out = {} as Record<keyof typeof packages, string>
  for (const [name, dir] of Object.entries(packages) as Array<[keyof typeof packages, string]>) {
    const { stdout } = await run("pnpm", ["pack", "--pack-destination", into], { cwd: join(root, dir) })
    out[name] = stdout.trim().split("\n").at(-1) as string
  }
  return out
}

/** A package.json inside a tarball. */
export const packedManifest = async (tarball: string): Promise<Record<string, unknown>> => {
  const { stdout } = await run("tar", ["xzf", tarball, "package/package.json", "-O"])
  return JSON.parse(stdout) as Record<string, unknown>
}

/** The files of a tarball. */
export const packedFiles = async (tarball: string): Promise<Array<string>> =>
  (await run("tar", ["tzf", tarball])).stdout.trim().split("\n")

/** The directory of a package this workspace installed (the library's peers and dependencies). */
export const installed = (from: string, name: string): Promise<string> =>
  realpath(join(root, from, "node_modules", name))

/** `npm install` with no registry: every package given as a tarball or a folder. */
export const npmInstall = async (args: ReadonlyArray<string>): Promise<string> => {
  const { stdout, stderr } = await run("npm", ["install", "--offline", "--no-audit", "--no-fund", ...args], {
    env: { ...process.env, npm_config_update_notifier: "false" }
  })
  return stdout + stderr
}

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

// Nothing of the caller's: no AZURE_CDN_*, no proxy settings, unless the test gives them.
const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AZURE_CDN_|PROXY_|HTTPS?_PROXY$|NO_PROXY$|AZCDN_)/i.test(name)) env[name] = value
  }
  return { ...env, ...extra }
}

/** Runs a command to its end. */
export const runCommand = (
  command: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  cwd?: string
) =>
  new Promise<Ran>((resolve, reject) => {
    const child = spawn(command, args, { env: cleanEnv(env), cwd, stdio: ["ignore", "pipe", "pipe"] })
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

/** Starts a long-running command (cdn-proxy). */
export const startCommand = (command: string, env: Record<string, string>): ChildProcess =>
  spawn(command, [], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] })

export const listen = async (server: Server | ReturnType<typeof createTlsServer>): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  return (server.address() as AddressInfo).port
}

// Every connection a server accepted, so that closing it does not wait on a kept-alive socket or a tunnel.
const tracked = (server: Server | ReturnType<typeof createTlsServer>): Set<Socket> => {
  const sockets = new Set<Socket>()
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  return sockets
}

const closeAll = (server: Server | ReturnType<typeof createTlsServer>, sockets: Set<Socket>) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve())
    for (const socket of sockets) socket.destroy()
  })

/** What the forward proxy was asked: `GET http://host/path` (forwarded) or `CONNECT host:443` (a tunnel). */
export interface Proxied {
  readonly method: string
  readonly target: string
  readonly userAgent: string | undefined
}

/**
 * A forward proxy on loopback, as a corporate network has one: an http URL asked in full is forwarded, an https one
 * is tunnelled with CONNECT. Every host it is asked for is this machine: `httpPort` for http, `tlsPort` for https.
 */
export const forwardProxy = async (ports: { readonly http: number; readonly tls: number }) => {
  const seen: Array<Proxied> = []
  const server = createHttpServer((request, response) => {
    seen.push({ method: request.method ?? "", target: request.url ?? "", userAgent: request.headers["user-agent"] })
    const url = new URL(request.url ?? "/")
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port: ports.http,
        method: request.method,
        path: `${url.pathname}${url.search}`,
        headers: request.headers
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    upstream.on("error", () => response.writeHead(502).end())
    request.pipe(upstream)
  })
  server.on("connect", (request, client: Socket, head: Buffer) => {
    seen.push({ method: "CONNECT", target: request.url ?? "", userAgent: request.headers["user-agent"] })
    const upstream = connect(ports.tls, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on("error", () => client.destroy())
    client.on("error", () => upstream.destroy())
  })
  const port = await listen(server)
  const sockets = tracked(server)
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => closeAll(server, sockets)
  }
}

/** A TLS front for `httpPort` with the certificate and key given: the service at `https://<its name>`. */
export const tlsFront = async (httpPort: number, pair: { readonly certificate: string; readonly key: string }) => {
  const server = createTlsServer({ cert: pair.certificate, key: pair.key }, (socket) => {
    const upstream = connect(httpPort, "127.0.0.1")
    socket.pipe(upstream)
    upstream.pipe(socket)
    upstream.on("error", () => socket.destroy())
    socket.on("error", () => upstream.destroy())
  })
  const port = await listen(server)
  const sockets = tracked(server)
  return { port, close: () => closeAll(server, sockets) }
}

export const readText = (path: string) => readFile(path, "utf8")
