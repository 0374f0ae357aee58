/**
 * What must never appear in any output, whatever the user typed: the key value (from a flag, the environment or a
 * key file) and any password in a URL on the command line. Every line azcdn writes passes through `scrub`.
 */

const known = new Set<string>()

// Shorter strings would mask ordinary words; a real key is far longer.
const minLength = 4

/** Remembers a secret, as given and percent-encoded (as it would read in a URL). */
export const remember = (secret: string): void => {
  const value = secret.replace(/[\r\n]+$/, "")
  if (value.length < minLength) return
  known.add(value)
  const encoded = encodeURIComponent(value)
  if (encoded !== value) known.add(encoded)
}

const keyFlags = new Set(["--key-value"])

/** The secrets a command line and an environment hold: key values and URL passwords. */
export const rememberFrom = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): void => {
  const fromEnv = env.AZURE_CDN_KEY_VALUE
  if (fromEnv !== undefined) remember(fromEnv)
  args.forEach((arg, i) => {
    const eq = arg.indexOf("=")
    if (keyFlags.has(arg) && i + 1 < args.length) remember(args[i + 1] as string)
    if (eq > 0 && keyFlags.has(arg.slice(0, eq))) remember(arg.slice(eq + 1))
    // A password in a URL (`https://user:password@host`), wherever it was typed.
    for (const match of arg.matchAll(/\/\/[^/@\s:]*:([^/@\s]+)@/g)) remember(match[1] as string)
  })
}

/** Forgets every secret (a new run starts afresh). */
export const forget = (): void => known.clear()

/** `text` with every known secret replaced by `***`. */
export const scrub = (text: string): string => {
  let out = text
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join("***")
  return out
}
