// What one call costs in cdn-core itself: CdnClient.request(getOperation) (check the input, sign, send, read the
// answer) on a fiber, and CdnClient.requestByCallback (the same with the first attempt on the transport's callback,
// as the proxy sends every forwarded read), over an in-memory transport that answers on the next turn of the event
// loop, beside a bare baseline that parses the same answer on the next turn. No socket on either side: what is left
// is the library's own work (its share of "forwarded <= 1.5x the bare forwarder" in proxy.mjs).
// CPU per call from process.cpuUsage over interleaved rounds; the median round is reported.
import { CdnApi, CdnClient, CdnConfig, Signer, Transport } from "@org/cdn-core"
import { Either, Layer, ManagedRuntime } from "effect"
import { fmt, median, table } from "./measure.mjs"

const answer = JSON.stringify({
  Id: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31",
  Type: "Purge",
  Status: "Succeeded",
  Message: null,
  Start: "2026-01-01T00:00:00Z",
  End: "2026-01-01T00:01:00Z",
  SubscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  EndpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  Parameters: { Files: ["http://example.com/pictures/city.png"] }
})
const response = {
  status: 200,
  headers: { "content-type": "application/json", "x-correlation-id": "c-1" },
  body: answer
}

// The service's answer on the next turn, as a socket's would come.
const nextTurn = Layer.succeed(
  Transport.Transport,
  Transport.fromDispatch((_request, _timeoutMs, done) => {
    const turn = setImmediate(() => done(Either.right(response)))
    return () => clearImmediate(turn)
  })
)
const runtime = ManagedRuntime.make(
  CdnClient.CdnClient.DefaultWithoutDependencies.pipe(
    Layer.provide(Signer.Signer.Default),
    Layer.provide(nextTurn),
    Layer.provide(CdnConfig.layer({ keyId: "bench-key", keyValue: "bench-key-value-not-a-secret" }))
  )
)
const client = await runtime.runPromise(CdnClient.CdnClient)
const input = {
  subscriptionId: "5dd0413d-a2f9-442a-b836-128d87753fa9",
  endpointId: "46fecf3c-e874-49aa-891d-0d4dc93213e0",
  operationId: "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"
}

const contenders = {
  // The floor: the answer parsed on the next turn, nothing else.
  "bare: JSON.parse on the next turn": () =>
    new Promise((resolve) => {
      setImmediate(() => resolve(JSON.parse(answer)))
    }),
  // As an Effect program calls it: a fiber per call.
  "cdn-core CdnClient.request(getOperation)": () =>
    new Promise((resolve, reject) => {
      runtime.runCallback(client.request(CdnApi.calls.getOperation, input), {
        onExit: (exit) => (exit._tag === "Success" ? resolve(exit.value) : reject(new Error(String(exit.cause))))
      })
    }),
  // As the proxy calls it for every forwarded read: no fiber unless the first attempt fails.
  "cdn-core CdnClient.requestByCallback(getOperation)": () =>
    new Promise((resolve, reject) => {
      client.requestByCallback(CdnApi.calls.getOperation, input, (attempted) =>
        attempted._tag === "Answered" ? resolve(attempted.response) : reject(new Error("not answered at once"))
      )
    })
}

const calls = 10_000
const microsPerCall = async (call) => {
  const before = process.cpuUsage()
  for (let i = 0; i < calls; i++) await call()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / calls
}

const entries = Object.entries(contenders)
for (const [, call] of entries) await microsPerCall(call)
const rounds = entries.map(() => [])
for (let r = 0; r < 7; r++) for (let i = 0; i < entries.length; i++) rounds[i].push(await microsPerCall(entries[i][1]))
await runtime.dispose()

console.log(`\n## One call in cdn-core (no socket): CPU µs per call, median of 7 interleaved rounds of ${fmt(calls)}`)
const floor = median(rounds[0])
table(
  entries.map(([name], i) => ({
    what: name,
    "CPU µs/call": fmt(median(rounds[i]), 2),
    "above bare µs": fmt(median(rounds[i]) - floor, 2)
  }))
)
