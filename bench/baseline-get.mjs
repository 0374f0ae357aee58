// The bare baseline for `azcdn operation get … -o json`: the same signed GET with node:crypto and node:http alone,
// printing the JSON. Usage: node baseline-get.mjs <operation-id> <subscription> <endpoint>; env as azcdn's.
import { createHmac } from "node:crypto"
import { request } from "node:http"

const [operationId, subscriptionId, endpointId] = process.argv.slice(2)
const { AZURE_CDN_BASE_URL: base, AZURE_CDN_KEY_ID: keyId, AZURE_CDN_KEY_VALUE: keyValue } = process.env
const path = `/subscriptions/${subscriptionId}/endpoints/${endpointId}/operations/${operationId}`
const date = new Date().toISOString().slice(0, 19).replace("T", " ")
const signature = createHmac("sha256", keyValue)
  .update(`${path}\r\napiVersion:1.0\r\n${date}\r\nGET`)
  .digest("hex")
  .toUpperCase()
const headers = { "x-azurecdn-request-date": date, authorization: `AzureCDN ${keyId}:${signature}` }
request(`${base}${path}?apiVersion=1.0`, { headers }, (response) => {
  let body = ""
  response.setEncoding("utf8")
  response.on("data", (chunk) => {
    body += chunk
  })
  response.on("end", () => {
    process.stdout.write(`${JSON.stringify(JSON.parse(body), null, 2)}\n`)
    process.exitCode = response.statusCode === 200 ? 0 : 1
  })
}).end()
