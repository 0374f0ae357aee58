// Written by version.mjs from package.json at every build; a test checks they agree.
/** The version of @org/cdn-core. */
export const version = "0.0.0"
