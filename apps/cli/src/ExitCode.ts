/**
 * The exit codes (a contract: scripts test them) and which failure ends with which.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import { categoryOf } from "@org/cdn-core/ErrorCategory"
import type { CdnError } from "@org/cdn-core/Errors"
import type { WaitTimedOut } from "@org/cdn-core/Waiter"
import type {
  ListenFailed,
  NothingFound,
  OperationFailed,
  QuotaReached,
  UnknownDomain,
  UsageError,
  WriteFailed
} from "./CliErrors.js"

export const ExitCode = {
  /** Success; for `wait`, the operation Succeeded. */
  Success: 0,
  /** The service or the network failed. */
  Failure: 1,
  /** Usage error or invalid input: nothing was sent. */
  Usage: 2,
  /** A subscription, endpoint or operation was not found. */
  NotFound: 3,
  /** `wait`: the operation finished as Failed. */
  OperationFailed: 4,
  /** `wait`: the deadline passed first. */
  TimedOut: 5,
  /** A batch purge stopped at the daily quota: some URLs remain. */
  QuotaReached: 6
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** The exit codes as `--help` and the README list them. */
export const exitCodeTable: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.Success, "success; for `operation wait`, the operation Succeeded"],
  [ExitCode.Failure, "the service or the network failed (one line on stderr: error type, message, correlation id)"],
  [ExitCode.Usage, "usage error or invalid input (an ID that is not a GUID, missing credentials): nothing was sent"],
  [
    ExitCode.NotFound,
    "not found: SubscriptionNotFound, EndpointNotFound, EndpointDoesNotBelongToSubscription; an --endpoint domain no endpoint serves; a report with no endpoint"
  ],
  [ExitCode.OperationFailed, "a wait (`operation wait`, `--wait`): the operation or one of its items Failed"],
  [ExitCode.TimedOut, "a wait (`operation wait`, `--wait`): the --timeout passed first"],
  [ExitCode.QuotaReached, "a batch purge (--from-file) stopped at the daily quota: the rest waits for a rerun"]
]

/** Every way a command can fail. */
export type CliFailure =
  | CdnError
  | WaitTimedOut
  | UsageError
  | OperationFailed
  | ListenFailed
  | WriteFailed
  | NothingFound
  | UnknownDomain
  | QuotaReached
  | ValidationError.ValidationError

/** The exit code a failure ends the process with. */
export const exitCodeOf = (failure: CliFailure): ExitCode => {
  if (ValidationError.isValidationError(failure)) return ExitCode.Usage
  switch (failure._tag) {
    case "UsageError":
      return ExitCode.Usage
    case "OperationFailed":
      return ExitCode.OperationFailed
    case "WaitTimedOut":
      return ExitCode.TimedOut
    case "QuotaReached":
      return ExitCode.QuotaReached
    case "ListenFailed":
    case "WriteFailed":
      return ExitCode.Failure
    case "NothingFound":
    case "UnknownDomain":
      return ExitCode.NotFound
    default:
      switch (categoryOf(failure)) {
        case "invalid-input":
          return ExitCode.Usage
        case "not-found":
          return ExitCode.NotFound
        default:
          return ExitCode.Failure
      }
  }
}
