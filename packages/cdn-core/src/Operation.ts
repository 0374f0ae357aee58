/**
 * An asynchronous operation (a purge, a preload) as the get-operation call reports it.
 */
import { Schema } from "effect"
import { EndpointId, OperationId, SubscriptionId } from "./Ids.js"

/** The statuses in TypeScript; `Succeeded` is the one spelling used in code. */
export const OperationStatusLiteral = Schema.Literal("NotSet", "Processing", "Succeeded", "Failed")
export type OperationStatus = typeof OperationStatusLiteral.Type

/** Decodes the service's `Status`; the API description file spells success `Succeed`, so both are accepted. */
export const OperationStatus = Schema.transform(
  Schema.Literal("NotSet", "Processing", "Succeeded", "Succeed", "Failed"),
  OperationStatusLiteral,
  {
    strict: true,
    decode: (status) => (status === "Succeed" ? "Succeeded" : status),
    encode: (status) => status
  }
)

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
