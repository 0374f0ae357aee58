/**
 * The proxy a request goes through, as enterprise networks set it: `HTTP_PROXY` for http URLs, `HTTPS_PROXY` for
 * https ones (a CONNECT tunnel), `NO_PROXY` for the hosts that go direct; each in upper or lower case (lower case
 * first, as curl reads them). Loopback and `.invalid` hosts never go through a proxy (an emulator on this machine,
 * the embedded one).
 */

type Env = Readonly<Record<string, string | undefined>>

const read = (env: Env, name: string): string | undefined => {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()]
  return value === undefined || value.trim() === "" ? undefined : value.trim()
}

const loopback = (host: string): boolean =>
  host === "localhost" ||
  host.endsWith(".localhost") ||
  host.endsWith(".invalid") ||
  host === "::1" ||
  host === "[::1]" ||
  /^127\.\d+\.\d+\.\d+$/.test(host)

// NO_PROXY entries: `*` (every host), a host (and its subdomains), `.example.cn` (its subdomains), an optional `:port`.
const bypassed = (noProxy: string | undefined, host: string, port: string): boolean => {
  if (noProxy === undefined) return false
  return noProxy
    .split(/[,\s]+/)
    .filter((entry) => entry !== "")
    .some((entry) => {
      if (entry === "*") return true
      const match = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase()) as RegExpExecArray
      const name = (match[1] as string).replace(/^\*?\./, "")
      if (match[2] !== undefined && match[2] !== port) return false
      return host === name || host.endsWith(`.${name}`)
    })
}

const defaultPorts: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" }

/** The proxy to reach `url` through, from the environment; undefined to go direct. */
export const proxyFor = (url: string, env: Env = process.env): URL | undefined => {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return undefined
  }
  const host = target.hostname.toLowerCase()
  if (loopback(host)) return undefined
  const proxy = read(env, target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY")
  if (proxy === undefined) return undefined
  if (bypassed(read(env, "NO_PROXY"), host, target.port || (defaultPorts[target.protocol] ?? ""))) return undefined
  try {
    // A proxy given without a scheme (`proxy.corp:3128`) is an http proxy.
    return new URL(proxy.includes("://") ? proxy : `http://${proxy}`)
  } catch {
    return undefined
  }
}

/** The proxy as it may be shown: its host and port, never its user name or password. */
export const shown = (proxy: URL): string => `${proxy.protocol}//${proxy.host}`
