/**
 * OpenTelemetry, opt-in by `OTEL_EXPORTER_OTLP_ENDPOINT`: a span per request (its call, the token's name, whether the
 * cache answered), a child span per upstream attempt (its HTTP status and correlation id), sent over OTLP/HTTP as
 * JSON by `@effect/opentelemetry`. A caller's W3C `traceparent` continues its trace. No token, key or body goes in a
 * span. Unset, Effect's tracer stays off and a request pays one check of a constant.
 */

import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Config, Context, Effect, Exit, Layer, Option, Tracer } from "effect"
import { version } from "./Version.js"

/** The endpoint traces go to, from the standard variables; none: tracing is off. */
export const endpoint: Config.Config<string | undefined> = Config.all({
  base: Config.option(Config.nonEmptyString("OTEL_EXPORTER_OTLP_ENDPOINT")),
  traces: Config.option(Config.nonEmptyString("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
}).pipe(
  Config.map(({ base, traces }) =>
    Option.isSome(traces)
      ? traces.value
      : Option.isSome(base)
        ? `${base.value.replace(/\/+$/, "")}/v1/traces`
        : undefined
  )
)

/** The tracer: OTLP when an endpoint is set, else none at all (spans cost nothing). */
export const layer = (url: string | undefined): Layer.Layer<never> =>
  url === undefined
    ? Layer.setTracerEnabled(false)
    : Layer.unwrapEffect(
        Effect.map(Config.withDefault(Config.string("OTEL_SERVICE_NAME"), "cdn-proxy"), (serviceName) =>
          OtlpTracer.layer({
            url,
            resource: { serviceName, serviceVersion: version },
            exportInterval: "1 second"
          }).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(FetchHttpClient.layer))
        )
      ).pipe(Layer.orDie)

/** What a request's span is told when it ends. */
export interface Ending {
  readonly status: number
  readonly token?: string | undefined
  readonly cache?: string | undefined
  readonly correlationId?: string | undefined
  readonly error?: string | undefined
}

/** Request spans for the handler, which answers most requests without a fiber. */
export interface RequestTracing {
  readonly start: (route: string, method: string, traceparent: string | undefined) => Tracer.Span
  readonly end: (span: Tracer.Span, ending: Ending) => void
}

// `00-<trace id>-<parent id>-<flags>`, as W3C Trace Context writes it.
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The caller's span from its `traceparent`; none when it sent none or one that does not read. */
export const callerSpan = (traceparent: string | undefined): Option.Option<Tracer.AnySpan> => {
  const match = traceparent === undefined ? null : traceparentPattern.exec(traceparent.trim().toLowerCase())
  if (match === null || /^0+$/.test(match[1] as string) || /^0+$/.test(match[2] as string)) return Option.none()
  return Option.some(
    Tracer.externalSpan({
      traceId: match[1] as string,
      spanId: match[2] as string,
      sampled: (Number.parseInt(match[3] as string, 16) & 1) === 1
    })
  )
}

const nanos = (): bigint => process.hrtime.bigint()

/** The handler's request tracing over `tracer`. */
export const over = (tracer: Tracer.Tracer): RequestTracing => ({
  start: (route, method, traceparent) => {
    const span = tracer.span(`cdn-proxy ${route}`, callerSpan(traceparent), Context.empty(), [], nanos(), "server")
    span.attribute("cdn.call", route)
    span.attribute("http.request.method", method)
    return span
  },
  end: (span, ending) => {
    span.attribute("http.response.status_code", ending.status)
    if (ending.token !== undefined) span.attribute("cdn.token", ending.token)
    span.attribute("cdn.cache", ending.cache ?? "none")
    if (ending.correlationId !== undefined) span.attribute("cdn.correlation_id", ending.correlationId)
    if (ending.error !== undefined) span.attribute("error.type", ending.error)
    span.end(nanos(), ending.status >= 500 ? Exit.fail(ending.error ?? "error") : Exit.void)
  }
})
