/**
 * `azcdn sign --method <METHOD> --url <URL> [--date "yyyy-MM-dd HH:mm:ss"]`: the two headers that sign a request,
 * for people who call the API with curl.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { formatRequestDate, requestDateHeader, signature, stringToSign } from "@org/cdn-core/Signer"
import { Clock, Console, Effect, Option } from "effect"
import { UsageError } from "../CliErrors.js"
import { globalOptions } from "../GlobalOptions.js"
import { signatureText } from "../Output.js"
import { keyFor } from "../Settings.js"
import * as Stderr from "../Stderr.js"

const requestDate = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/

/** A request date as the service writes it, and a real UTC time. */
const checkDate = (date: string): Effect.Effect<string, UsageError> => {
  const match = requestDate.exec(date)
  const at = match === null ? Number.NaN : Date.parse(`${date.replace(" ", "T")}Z`)
  // Date.parse rolls 2017-02-30 over to March: a round trip catches it.
  return match !== null && !Number.isNaN(at) && formatRequestDate(at) === date
    ? Effect.succeed(date)
    : Effect.fail(
        new UsageError({
          message: `--date must be the UTC time as "yyyy-MM-dd HH:mm:ss" (24-hour clock), e.g. "2017-05-02 06:34:07"; got ${JSON.stringify(date)}`
        })
      )
}

// Any origin will do for a path alone: the host takes no part in the signature.
const placeholderOrigin = "https://restapi.cdn.azure.cn"

/** An absolute http(s) URL, or a path starting with `/`. */
const checkUrl = (text: string): Effect.Effect<URL, UsageError> =>
  Effect.try({
    try: () => {
      const url = new URL(text.startsWith("/") ? `${placeholderOrigin}${text}` : text)
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)")
      return url
    },
    catch: () =>
      new UsageError({
        message: `--url must be an http(s) URL or a path starting with /, e.g. ${placeholderOrigin}/subscriptions/…?apiVersion=1.0; got ${JSON.stringify(text)}`
      })
  })

const checkMethod = (method: string): Effect.Effect<string, UsageError> =>
  /^[A-Za-z]+$/.test(method)
    ? Effect.succeed(method.toUpperCase())
    : Effect.fail(
        new UsageError({
          message: `--method must be an HTTP method such as GET or POST; got ${JSON.stringify(method)}`
        })
      )

const guids = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

// The service (and the strict emulator) read the path in lower case: an upper-case GUID would not match.
const hasUpperCaseGuid = (path: string): boolean => (path.match(guids) ?? []).some((id) => id !== id.toLowerCase())

export const sign = Command.make(
  "sign",
  {
    method: Options.text("method").pipe(
      Options.withPseudoName("method"),
      Options.withDescription("The request's HTTP method, e.g. GET or POST")
    ),
    url: Options.text("url").pipe(
      Options.withPseudoName("url"),
      Options.withDescription("The request's URL as it will be sent, query included (or its path and query)")
    ),
    date: Options.text("date").pipe(
      Options.withPseudoName("date"),
      Options.withDescription('The request date, UTC, "yyyy-MM-dd HH:mm:ss"; default now'),
      Options.optional
    ),
    ...globalOptions
  },
  ({ method, url, date, ...flags }) =>
    Effect.gen(function* () {
      const verb = yield* checkMethod(method)
      const target = yield* checkUrl(url)
      const at = yield* Option.match(date, {
        onNone: () => Effect.map(Clock.currentTimeMillis, formatRequestDate),
        onSome: checkDate
      })
      const key = yield* keyFor(flags)
      if (hasUpperCaseGuid(target.pathname)) {
        yield* Stderr.line("azcdn: note: the path has upper-case GUIDs; the service expects them in lower case")
      }
      // The signing rule's two public faces: the string to sign, and its signature with the key.
      const text = stringToSign({ path: target.pathname, query: target.searchParams, date: at, method: verb })
      const headers = { [requestDateHeader]: at, authorization: `AzureCDN ${key.id}:${signature(key.value, text)}` }
      yield* Console.log(
        signatureText(
          headers,
          Option.getOrElse(
            Option.map(flags.output, (choice) => (choice === "yaml" ? "json" : choice)),
            () => "headers" as const
          )
        )
      )
    })
).pipe(
  Command.withDescription(
    "Print the two headers that sign a request (x-azurecdn-request-date and Authorization), e.g. for curl. The URL is signed as given: its path, its query pairs decoded and sorted."
  )
)
