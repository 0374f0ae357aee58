/**
 * An asynchronous operation (a purge, a preload) as the get-operation call reports it.
 */
import { Schema } from "effect"
import { EndpointId, OperationId, SubscriptionId } from "./Ids.js"

/** The documented statuses; `Succeeded` is the one spelling used in code. */
export const OperationStatusLiteral = Schema.Literal("NotSet", "Processing", "Succeeded", "Failed")
export type DocumentedStatus = typeof OperationStatusLiteral.Type

/** A status: one of the documented four, or an undocumented one kept as the service sent it. */
export type OperationStatus = DocumentedStatus | (string & {})

const documented: ReadonlySet<string> = new Set(OperationStatusLiteral.literals)

/** True for a status the documents do not list (`Cancelled`, say): kept, never a decode failure. */
export const isUndocumented = (status: OperationStatus): boolean => !documented.has(status)

/** Decodes the service's `Status`; the API description file spells success `Succeed`, so both read `Succeeded`. */
export const OperationStatus = Schema.transform(Schema.String, Schema.String as Schema.Schema<OperationStatus>, {
  strict: true,
  decode: (status) => (status === "Succeed" ? "Succeeded" : status),
  encode: (status) => status
})

/** The operation's kind: `Purge` and `Preload` are documented, any other string still decodes. */
export const OperationType = Schema.String
export type OperationType = "Purge" | "Preload" | (string & {})

/** An operation: PascalCase in JSON, camelCase in TypeScript; encoding gives back the service's shape. */
export class Operation extends Schema.Class<Operation>("Operation")({
  id: Schema.propertySignature(OperationId).pipe(Schema.fromKey("Id")),
  type: Schema.propertySignature(OperationType).pipe(Schema.fromKey("Type")),
  status: Schema.propertySignature(OperationStatus).pipe(Schema.fromKey("Status")),
  message: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }).pipe(Schema.fromKey("Message")),
  start: Schema.propertySignature(Schema.DateTimeUtc).pipe(Schema.fromKey("Start")),
  // Absent or null while the operation is still processing.
  end: Schema.optionalWith(Schema.NullOr(Schema.DateTimeUtc), { default: () => null }).pipe(Schema.fromKey("End")),
  endpointId: Schema.propertySignature(EndpointId).pipe(Schema.fromKey("EndpointId")),
  subscriptionId: Schema.propertySignature(SubscriptionId).pipe(Schema.fromKey("SubscriptionId"))
}) {}

/** What identifies one operation: the three IDs of the get-operation path. */
export const OperationRef = Schema.Struct({
  subscriptionId: SubscriptionId,
  endpointId: EndpointId,
  operationId: OperationId
})
export type OperationRef = typeof OperationRef.Type

/** `Succeeded` and `Failed` never change again. */
export const isTerminal = (status: OperationStatus): boolean => status === "Succeeded" || status === "Failed"

/** Where a wait ends: a terminal status, or one the documents do not list (a wait cannot know what follows it). */
export const endsWait = (status: OperationStatus): boolean => isTerminal(status) || isUndocumented(status)
