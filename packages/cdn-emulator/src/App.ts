/**
 * The whole emulator as one `HttpApp`: the control API under `/_emulator/`, the service's API elsewhere.
 */
import { type HttpApp, HttpServerRequest } from "@effect/platform"
import { Effect } from "effect"
import { type ConnectionDropped, handleApi } from "./Api.js"
import { control } from "./Control.js"
import type { Emulator } from "./Emulator.js"

const isControl = (url: string): boolean => {
  const at = url.indexOf("/_emulator/")
  return at >= 0 && at === url.indexOf("/", url.startsWith("/") ? 0 : url.indexOf("//") + 2)
}

/** Answers any request as the emulated service would. */
export const app: HttpApp.Default<ConnectionDropped, Emulator> = Effect.flatMap(
  HttpServerRequest.HttpServerRequest,
  (request) => (isControl(request.url) ? control : handleApi(request))
)
