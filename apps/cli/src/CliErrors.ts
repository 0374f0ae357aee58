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

/** A file the command writes (a report) could not be written. */
export class WriteFailed extends Schema.TaggedError<WriteFailed>()("WriteFailed", {
  message: Schema.String
}) {}

/** The subscription holds nothing the command could work on (no endpoints to report on). */
export class NothingFound extends Schema.TaggedError<NothingFound>()("NothingFound", {
  message: Schema.String
}) {}

/** `--endpoint` named a domain that no endpoint of the subscription serves. */
export class UnknownDomain extends Schema.TaggedError<UnknownDomain>()("UnknownDomain", {
  message: Schema.String
}) {}

/** A batch purge stopped at the subscription's daily quota; what remains is sent by a rerun tomorrow. */
export class QuotaReached extends Schema.TaggedError<QuotaReached>()("QuotaReached", {
  message: Schema.String
}) {}
