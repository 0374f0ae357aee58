/**
 * The service's identifiers: GUIDs, normalised to lower case so that every published signing reading agrees.
 */
import { Schema } from "effect"
import { quoted } from "./Errors.js"

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

// Lower-case first, then check: upper-case GUIDs are accepted and sent in lower case (a GUID's case means nothing).
// Nothing else is changed: a GUID with spaces around it is refused, not trimmed.
const Guid = (brand: string) =>
  Schema.Lowercase.pipe(
    Schema.pattern(guidPattern, {
      message: (issue) =>
        `${brand} must be a GUID such as 5dd0413d-a2f9-442a-b836-128d87753fa9, got ${quoted(issue.actual)}`,
      arbitrary: () => (fc) => fc.uuid()
    })
  )

/** A subscription's unique identifier (a GUID, lower case). */
export const SubscriptionId = Guid("SubscriptionId").pipe(Schema.brand("SubscriptionId"))
export type SubscriptionId = typeof SubscriptionId.Type

/** An endpoint's (the docs say "node") unique identifier (a GUID, lower case). */
export const EndpointId = Guid("EndpointId").pipe(Schema.brand("EndpointId"))
export type EndpointId = typeof EndpointId.Type

/** An asynchronous operation's unique identifier (a GUID, lower case); a purge or preload's TaskTrackId. */
export const OperationId = Guid("OperationId").pipe(Schema.brand("OperationId"))
export type OperationId = typeof OperationId.Type

/** True when the string is a GUID in any case. */
export const isGuid = (value: string): boolean => guidPattern.test(value.toLowerCase())
