// undici's dispatcher modules, taken one by one: they have no types of their own, being the classes its index exports.
declare module "undici/lib/dispatcher/pool.js" {
  import { Pool } from "undici"
  export default Pool
}
declare module "undici/lib/dispatcher/proxy-agent.js" {
  import { ProxyAgent } from "undici"
  export default ProxyAgent
}
