// undici's dispatcher modules, taken one by one: they have no types of their own, being the classes its index exports.
declare module "undici/lib/dispatcher/pool.js" {
  import { Pool } from "undici"
  export default Pool
}
declare module "undici/lib/dispatcher/proxy-agent.js" {
  import { ProxyAgent } from "undici"
  export default ProxyAgent
}
declare module "undici/lib/dispatcher/dispatcher.js" {
  import { Dispatcher } from "undici"
  export default Dispatcher
}
declare module "undici/lib/api/api-connect.js" {
  const connect: (...args: Array<unknown>) => unknown
  export default connect
}
