/**
 * The CLI's own failures, beside the core's `CdnError`: bad usage, a failed operation, a port it cannot take.
 */
import { Schema } from "effect"

/** Bad input found before anything was sent: missing credentials, an unreadable key file, a bad flag value. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/** `operation wait` saw the operation finish as `Failed`. */
export class OperationFailed extends Schema.TaggedError<OperationFailed>()("OperationFailed", {
  message: Schema.String,
  operationId: Schema.String
}) {}

/** `emulator` could not listen on the port asked for. */
export class ListenFailed extends Schema.TaggedError<ListenFailed>()("ListenFailed", {
  message: Schema.String
}) {}
