/**
 * What the emulated service answers: a status, a body and how the request log names the outcome.
 */
import { errorResponse, httpStatusOf, type ServiceErrorType } from "@org/cdn-core/ErrorInfo"

export interface Answer {
  readonly status: number
  readonly body: string
  readonly contentType: string
  /** `ok`, the error type answered, or the fault injected. */
  readonly outcome: string
  readonly headers?: Record<string, string>
}

export const json = (status: number, value: unknown, outcome = "ok"): Answer => ({
  status,
  body: JSON.stringify(value),
  contentType: "application/json; charset=utf-8",
  outcome
})

/** The service's error body with the status the emulator uses for the type (or the one given). */
export const failure = (type: ServiceErrorType, message: string, status = httpStatusOf(type)): Answer =>
  json(status, errorResponse(type, message), type)

/** The generic answer of an accepted write: 202 with the id to follow. */
export const accepted = (taskTrackId: string): Answer =>
  json(202, { Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: taskTrackId, TaskStatus: "Processing" } })
