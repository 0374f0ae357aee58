/**
 * The generic answer of a write (update, delete, enable, disable, purge, preload, …):
 * `{"Succeeded": true, "IsAsync": true, "AsyncInfo": {"TaskTrackId": "<guid>", "TaskStatus": "Processing"}}`.
 * `TaskTrackId` is the id to follow: the purge id, the preload id and the operation id.
 */
import { Schema } from "effect"
import { OperationId } from "./Ids.js"
import { LenientBoolean } from "./internal/lenient.js"
import { OperationStatus } from "./Operation.js"

/** What the service tracks the work under. */
export class AsyncInfo extends Schema.Class<AsyncInfo>("AsyncInfo")({
  taskTrackId: Schema.propertySignature(OperationId).pipe(Schema.fromKey("TaskTrackId")),
  taskStatus: Schema.propertySignature(OperationStatus).pipe(Schema.fromKey("TaskStatus"))
}) {}

/** The answer of an accepted write. */
export class AsyncResult extends Schema.Class<AsyncResult>("AsyncResult")({
  succeeded: Schema.propertySignature(LenientBoolean).pipe(Schema.fromKey("Succeeded")),
  isAsync: Schema.propertySignature(LenientBoolean).pipe(Schema.fromKey("IsAsync")),
  asyncInfo: Schema.optionalWith(Schema.NullOr(AsyncInfo), { default: () => null }).pipe(Schema.fromKey("AsyncInfo"))
}) {
  /** The id to follow with get-operation (and get-purge, get-preload); undefined when the service gave none. */
  get taskTrackId(): OperationId | undefined {
    return this.asyncInfo?.taskTrackId
  }
}

/** An accepted write as the calls read it: work the service runs on (`IsAsync`) must name what it tracks it under. */
export const AcceptedAnswer = AsyncResult.pipe(
  Schema.filter((result) =>
    !result.isAsync || result.asyncInfo !== null ? true : { path: ["AsyncInfo"], message: "is missing" }
  )
)
