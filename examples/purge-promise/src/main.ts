/**
 * Purge with plain async/await: starts an emulator on a loopback port, purges two URLs through
 * @org/cdn-core/promise, waits for the operation, and prints each item's result.
 */
import { CdnClientError, createCdnClient } from "@org/cdn-core/promise"
import { EmulatorOptions, Server, Store } from "@org/cdn-emulator"

const emulator = await Server.start({ taskDuration: "1 second" })
const cdn = createCdnClient({
  baseUrl: emulator.url,
  keyId: EmulatorOptions.demoKey.id,
  keyValue: EmulatorOptions.demoKey.value
})
const endpoint = { subscriptionId: Store.seed.subscriptionId, endpointId: Store.seed.endpointId }

try {
  const { id, operation, result } = await cdn.purgeAndWait(
    {
      ...endpoint,
      files: ["http://file.example.cn/pictures/city.png"],
      directories: ["http://file.example.cn/styles/"]
    },
    { interval: "250 millis", timeout: "30 seconds" }
  )
  console.log(`purge ${id}: ${operation.status}`)
  for (const item of result.items) console.log(`${item.status}\t${item.url}`)
  // A mistake is refused before anything is sent, with the field it is about.
  await cdn.purge({ ...endpoint, files: ["/pictures/city.png"] })
} catch (error) {
  if (!(error instanceof CdnClientError)) throw error
  console.log(`refused: ${error._tag} (${error.field ?? error.type}): ${error.message}`)
} finally {
  await cdn.close()
  await emulator.close()
}
