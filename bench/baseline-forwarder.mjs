// The floor for the proxy's forwarded path: node:http in, the same HMAC signing, keep-alive node:http out, the
// answer read and parsed as JSON, and written back. No framework, no auth, no checks beyond what forwarding needs.
// Usage: node baseline-forwarder.mjs <port> <upstream-base-url>; keys from AZURE_CDN_KEY_ID / AZURE_CDN_KEY_VALUE.
import { createHmac } from "node:crypto"
import { Agent, createServer, request as httpRequest } from "node:http"

const upstream = new URL(process.argv[3])
const keyId = process.env.AZURE_CDN_KEY_ID
const keyValue = process.env.AZURE_CDN_KEY_VALUE
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
const pad = (n) => (n < 10 ? `0${n}` : `${n}`)
const requestDate = (d) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`

const server = createServer((request, response) => {
  const q = request.url.indexOf("?")
  const path = (q < 0 ? request.url : request.url.slice(0, q)).toLowerCase()
  const date = requestDate(new Date())
  const signature = createHmac("sha256", keyValue)
    .update(`${path}\r\napiVersion:1.0\r\n${date}\r\nGET`, "utf8")
    .digest("hex")
    .toUpperCase()
  const out = httpRequest(
    {
      agent,
      host: upstream.hostname,
      port: upstream.port,
      path: `${path}?apiVersion=1.0`,
      headers: {
        accept: "application/json",
        "x-azurecdn-request-date": date,
        authorization: `AzureCDN ${keyId}:${signature}`
      }
    },
    (answer) => {
      const chunks = []
      answer.on("data", (chunk) => chunks.push(chunk))
      answer.on("end", () => {
        const body = Buffer.concat(chunks)
        JSON.parse(body.toString("utf8"))
        response.writeHead(answer.statusCode, {
          "content-type": "application/json; charset=utf-8",
          "content-length": String(body.length),
          "x-correlation-id": answer.headers["x-correlation-id"] ?? ""
        })
        response.end(body)
      })
    }
  )
  out.on("error", () => {
    response.writeHead(502)
    response.end()
  })
  out.end()
})
server.keepAliveTimeout = 65_000
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => console.log(`listening ${server.address().port}`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
