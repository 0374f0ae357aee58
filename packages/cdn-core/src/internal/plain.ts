/**
 * Values as plain JavaScript for callers outside Effect: times as `Date`, schema classes as plain objects (their
 * getters, such as `items` and `taskTrackId`, kept as properties).
 */
import { DateTime, Redacted } from "effect"

/** The plain shape of a value the client decodes. */
export type Plain<A> = A extends DateTime.DateTime
  ? Date
  : A extends Date
    ? Date
    : A extends Redacted.Redacted<infer _>
      ? A
      : A extends ReadonlyArray<infer I>
        ? ReadonlyArray<Plain<I>>
        : A extends object
          ? // Methods are not data.
            { readonly [K in keyof A as A[K] extends Function ? never : K]: Plain<A[K]> }
          : A

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** `value` with every `DateTime` a `Date` and every class instance a plain object. */
export const toPlain = <A>(value: A): Plain<A> => {
  if (DateTime.isDateTime(value)) return DateTime.toDate(value) as Plain<A>
  if (value === null || typeof value !== "object" || value instanceof Date || Redacted.isRedacted(value)) {
    return value as Plain<A>
  }
  if (Array.isArray(value)) return value.map(toPlain) as Plain<A>
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = toPlain(inner)
  if (!isPlainObject(value)) {
    // A schema class's getters (`items`, `taskTrackId`) become properties.
    for (
      let proto = Object.getPrototypeOf(value);
      proto !== null && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto)
    ) {
      for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
        if (descriptor.get !== undefined && !(key in out) && !key.startsWith("_")) {
          out[key] = toPlain((value as Record<string, unknown>)[key])
        }
      }
    }
  }
  return out as Plain<A>
}
