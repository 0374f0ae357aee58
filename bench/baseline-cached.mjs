// The floor for the proxy's cached path: bare node:http answering the same cached bytes, no framework, no checks.
// Usage: node baseline-cached.mjs <port> <body-file>; prints "listening <port>" when ready.
import { readFileSync } from "node:fs"
import { createServer } from "node:http"

const body = readFileSync(process.argv[3])
const headers = {
  "content-type": "application/json; charset=utf-8",
  "content-length": String(body.length),
  "x-correlation-id": "00000000-0000-4000-8000-000000000000"
}

const server = createServer((_request, response) => {
  response.writeHead(200, headers)
  response.end(body)
})
server.keepAliveTimeout = 65_000
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => console.log(`listening ${server.address().port}`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
