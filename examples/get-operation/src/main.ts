/**
 * The quick start: starts an emulator on a loopback port, then gets the seed operation through
 * @org/cdn-core with a real signed HTTP request, and prints it with its correlation id.
 */
import { FetchHttpClient } from "@effect/platform"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { CdnClient, CdnConfig } from "@org/cdn-core"
import { EmulatorOptions, Server, Store } from "@org/cdn-emulator"
import { Console, Effect, Layer } from "effect"

const program = Effect.gen(function* () {
  const emulator = yield* Server.serve({ keys: [EmulatorOptions.demoKey] })
  yield* Console.log(`emulator listening on ${emulator.url}`)

  const client = CdnClient.CdnClient.Default.pipe(
    Layer.provide(
      CdnConfig.layer({
        baseUrl: emulator.url,
        keyId: EmulatorOptions.demoKey.id,
        keyValue: EmulatorOptions.demoKey.value
      })
    ),
    Layer.provide(FetchHttpClient.layer)
  )

  const response = yield* Effect.flatMap(CdnClient.CdnClient, (cdn) =>
    cdn.getOperationResponse({
      subscriptionId: Store.seed.subscriptionId,
      endpointId: Store.seed.endpointId,
      operationId: Store.seed.operationId
    })
  ).pipe(Effect.provide(client))

  const [request] = emulator.emulator.log.all()
  yield* Console.log(
    `signed request: GET ${request?.path}?apiVersion=1.0 (signature ${request?.signatureValid ? "verified" : "REFUSED"})`
  )
  yield* Console.log(`correlation id: ${response.correlationId}`)
  yield* Console.log(JSON.stringify(JSON.parse(response.body), null, 2))
})

NodeRuntime.runMain(
  program.pipe(
    Effect.scoped,
    Effect.catchAll((error) =>
      Console.error(`error: ${error.message}`).pipe(Effect.zipRight(Effect.sync(() => process.exit(1))))
    )
  ),
  { disablePrettyLogger: true }
)
