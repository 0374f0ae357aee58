/**
 * The packages as a user outside this repository gets them: packed, installed with npm into temporary prefixes, and
 * run. The library from `import` and from `require`, `azcdn` (with and without its install script: the fast start
 * where a POSIX shell is, the plain bundle elsewhere), `cdn-proxy`; each through an HTTP(S) proxy from
 * `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`, and each saying who it is in its User-Agent.
 */
import { mkdtemp, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Server } from "@org/cdn-emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeCa } from "../../../packages/cdn-core/test/certificates.js"
import {
  forwardProxy,
  installed,
  npmInstall,
  packAll,
  packedFiles,
  packedManifest,
  readText,
  runCommand,
  startCommand
} from "./support.js"

const key = { id: "install-test-key", value: "install-test-key-value-s3cr3t" }
const ids = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
}
const operationPath = `/subscriptions/${ids.subscriptionId}/endpoints/${ids.endpointId}/operations/${ids.operationId}`
const getOperation = [
  "operation",
  "get",
  ids.operationId,
  "--subscription",
  ids.subscriptionId,
  "--endpoint",
  ids.endpointId
]
// A host no resolver knows: a request to it arrives only through the proxy.
const serviceHost = "cdn.example.test"

let tarballs: Awaited<ReturnType<typeof packAll>>
let emulator: Awaited<ReturnType<typeof Server.start>>
let front: Awaited<ReturnType<typeof import("./support.js").tlsFront>>
let proxy: Awaited<ReturnType<typeof forwardProxy>>
let lib: string
let global: string
let portable: string
const ca = makeCa()
const caFile = join(ca.dir, "ca.crt")

const keyEnv = { AZURE_CDN_KEY_ID: key.id, AZURE_CDN_KEY_VALUE: key.value }
const lastUserAgent = () => emulator.emulator.log.all().at(-1)?.userAgent

beforeAll(async () => {
  tarballs = await packAll()
  emulator = await Server.start({ port: 0, keys: [key] })
  const emulatorPort = Number(new URL(emulator.url).port)
  const { tlsFront } = await import("./support.js")
  front = await tlsFront(emulatorPort, ca.valid(serviceHost))
  proxy = await forwardProxy({ http: emulatorPort, tls: front.port })

  // The library and the emulator, with the packages they need from the registry linked from this workspace.
  lib = await mkdtemp(join(tmpdir(), "cdn-lib-"))
  await writeFile(join(lib, "package.json"), JSON.stringify({ name: "app", private: true }))
  const links = await Promise.all([
    installed("packages/cdn-core", "effect"),
    installed("packages/cdn-core", "@effect/platform"),
    installed("packages/cdn-core", "https-proxy-agent"),
    installed("packages/cdn-emulator", "@effect/platform-node")
  ])
  await npmInstall(["--prefix", lib, tarballs.core, tarballs.emulator, ...links.map((dir) => `file:${dir}`)])
  // The commands, globally into a prefix: with their install scripts, and without (as on Windows, or with
  // --ignore-scripts).
  global = await mkdtemp(join(tmpdir(), "cdn-global-"))
  await npmInstall(["-g", "--prefix", global, tarballs.cli, tarballs.proxy])
  portable = await mkdtemp(join(tmpdir(), "cdn-portable-"))
  await npmInstall(["-g", "--prefix", portable, "--ignore-scripts", tarballs.cli])
})

afterAll(async () => {
  await proxy?.close()
  await front?.close()
  await emulator?.close()
})

describe("packed packages", () => {
  it("hold no catalog: or workspace: version, take effect as a peer range, and carry the LICENSE", async () => {
    for (const [name, tarball] of Object.entries(tarballs)) {
      const manifest = await packedManifest(tarball)
      expect(JSON.stringify(manifest), name).not.toMatch(/catalog:|workspace:/)
      for (const range of Object.values((manifest.peerDependencies ?? {}) as Record<string, string>)) {
        expect(range, name).toMatch(/^\^/)
      }
      expect(await packedFiles(tarball), name).toContain("package/LICENSE")
    }
  })

  it("azcdn's bin is JavaScript that node runs on any system: no shell needed", async () => {
    expect(await packedFiles(tarballs.cli)).toContain("package/bin/azcdn")
    const launcher = await readText(join(portable, "lib/node_modules/@org/cdn-cli/bin/azcdn"))
    expect(launcher.split("\n")[0]).toBe("#!/usr/bin/env node")
  })
})

describe("@org/cdn-core/promise, installed", () => {
  it("from import: a call against the installed emulator, plain values, the User-Agent with the caller's product", async () => {
    const script = join(lib, "esm.mjs")
    await writeFile(
      script,
      `import { createCdnClient } from "@org/cdn-core/promise"
import { Server } from "@org/cdn-emulator"
const emulator = await Server.start({ port: 0 })
const cdn = createCdnClient({ baseUrl: emulator.url, keyId: "emulator-key", keyValue: "emulator-secret", userAgent: "myapp/1.2" })
const operation = await cdn.getOperation(${JSON.stringify(ids)})
console.log(JSON.stringify({ status: operation.status, date: operation.start instanceof Date, userAgent: emulator.emulator.log.all().at(-1).userAgent }))
await cdn.close()
await emulator.close()
`
    )
    const ran = await runCommand(process.execPath, [script], {}, lib)
    expect(ran.stderr).toBe("")
    expect(JSON.parse(ran.stdout)).toEqual({ status: "Succeeded", date: true, userAgent: "cdn-core/0.0.0 myapp/1.2" })
  })

  it("from require, and through HTTP_PROXY (fetch cannot be proxied: the request goes by node:http)", async () => {
    const script = join(lib, "cjs.cjs")
    await writeFile(
      script,
      `const { createCdnClient } = require("@org/cdn-core/promise")
const cdn = createCdnClient({ baseUrl: process.argv[2], keyId: ${JSON.stringify(key.id)}, keyValue: ${JSON.stringify(key.value)} })
cdn.getOperation(${JSON.stringify(ids)}).then(
  (operation) => console.log(operation.status),
  (error) => console.log(error._tag, error.message)
).finally(() => cdn.close())
`
    )
    expect((await runCommand(process.execPath, [script, emulator.url], {}, lib)).stdout.trim()).toBe("Succeeded")
    expect(lastUserAgent()).toBe("cdn-core/0.0.0")
    const before = proxy.seen.length
    const proxied = await runCommand(
      process.execPath,
      [script, `http://${serviceHost}`],
      { HTTP_PROXY: proxy.url },
      lib
    )
    expect(proxied.stdout.trim()).toBe("Succeeded")
    expect(proxy.seen.slice(before)).toEqual([
      { method: "GET", target: `http://${serviceHost}${operationPath}?apiVersion=1.0`, userAgent: "cdn-core/0.0.0" }
    ])
  })
})

describe("azcdn, installed", () => {
  const azcdn = (prefix: string) => join(prefix, "bin", "azcdn")

  it("runs from the snapshot launcher where a POSIX shell is, and from the JavaScript one without install scripts", async () => {
    const fast = await readText(join(global, "lib/node_modules/@org/cdn-cli/bin/azcdn"))
    expect(fast.split("\n")[0]).toBe(process.platform === "win32" ? "#!/usr/bin/env node" : "#!/bin/sh")
    for (const prefix of [global, portable]) {
      expect((await runCommand(azcdn(prefix), ["--version"])).stdout).toBe("0.0.0\n")
      const ran = await runCommand(azcdn(prefix), [...getOperation, "-o", "tsv"], {
        ...keyEnv,
        AZURE_CDN_BASE_URL: emulator.url
      })
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout.split("\t")[2]).toBe("Succeeded")
      expect(lastUserAgent()).toMatch(/^azcdn\/0\.0\.0 cdn-core\/0\.0\.0 node\/\d+\.\d+\.\d+$/)
    }
  })

  it("honours HTTP_PROXY (and http_proxy), HTTPS_PROXY with CONNECT, and NO_PROXY", async () => {
    const via = async (env: Record<string, string>) => {
      const before = proxy.seen.length
      const ran = await runCommand(azcdn(global), [...getOperation, "-o", "tsv"], { ...keyEnv, ...env })
      return { ...ran, seen: proxy.seen.slice(before) }
    }
    const http = `http://${serviceHost}`
    for (const name of ["HTTP_PROXY", "http_proxy"]) {
      const ran = await via({ AZURE_CDN_BASE_URL: http, [name]: proxy.url })
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.seen.map((s) => `${s.method} ${s.target}`)).toEqual([`GET ${http}${operationPath}?apiVersion=1.0`])
    }
    const https = await via({
      AZURE_CDN_BASE_URL: `https://${serviceHost}`,
      HTTPS_PROXY: proxy.url,
      NODE_EXTRA_CA_CERTS: caFile
    })
    expect(https.code, https.stderr).toBe(0)
    expect(https.seen.map((s) => `${s.method} ${s.target}`)).toEqual([`CONNECT ${serviceHost}:443`])
    // NO_PROXY: straight to a host nobody can resolve, and the proxy never hears of it.
    const direct = await via({ AZURE_CDN_BASE_URL: http, HTTP_PROXY: proxy.url, NO_PROXY: `localhost,.example.test` })
    expect(direct.code).toBe(1)
    expect(direct.stderr).toMatch(/could not be resolved/)
    expect(direct.seen).toEqual([])
  })
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

describe("cdn-proxy, installed", () => {
  it("serves, says cdn-proxy/<version> cdn-core/<version> upstream, and reaches the service through HTTPS_PROXY", async () => {
    const token = "install-test-token-0123456789abcdef"
    for (const upstream of [
      { AZURE_CDN_BASE_URL: emulator.url },
      { AZURE_CDN_BASE_URL: `https://${serviceHost}`, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: caFile }
    ]) {
      const port = await freePort()
      const child = startCommand(join(global, "bin", "cdn-proxy"), {
        ...keyEnv,
        ...upstream,
        HOST: "127.0.0.1",
        PORT: String(port),
        PROXY_TOKENS: JSON.stringify([{ name: "t", token }])
      })
      try {
        let up = false
        for (let i = 0; i < 100 && !up; i++) {
          up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.ok,
            () => false
          )
          if (!up) await new Promise((resolve) => setTimeout(resolve, 50))
        }
        expect(up).toBe(true)
        const before = proxy.seen.length
        const answer = await fetch(`http://127.0.0.1:${port}${operationPath}?apiVersion=1.0`, {
          headers: { authorization: `Bearer ${token}` }
        })
        expect(answer.status).toBe(200)
        expect(lastUserAgent()).toBe("cdn-proxy/0.0.0 cdn-core/0.0.0")
        if (upstream.HTTPS_PROXY !== undefined) {
          expect(proxy.seen.slice(before).map((s) => `${s.method} ${s.target}`)).toEqual([`CONNECT ${serviceHost}:443`])
        }
      } finally {
        child.kill("SIGTERM")
        await new Promise((resolve) => child.once("exit", resolve))
      }
    }
  })
})
