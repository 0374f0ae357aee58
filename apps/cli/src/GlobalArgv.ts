/**
 * Global flags anywhere: `azcdn -o json endpoint list` reads as `azcdn endpoint list -o json`. The command parser
 * takes options after the command that declares them, so the global ones written before or between the command's
 * words are moved after them.
 */

/** Each global flag, and whether it takes a value. */
export const globalFlags: ReadonlyMap<string, boolean> = new Map([
  ["--base-url", true],
  ["--key-id", true],
  ["--key-value", true],
  ["--key-value-file", true],
  ["--profile", true],
  ["--output", true],
  ["-o", true],
  ["--query", true],
  ["--verbose", false],
  ["--emulator", false]
])

// `--output=json` is one token holding both.
const flagOf = (token: string): { readonly name: string; readonly joined: boolean } | undefined => {
  const eq = token.indexOf("=")
  const name = eq > 0 ? token.slice(0, eq) : token
  return globalFlags.has(name) ? { name, joined: eq > 0 } : undefined
}

/**
 * `argv` (`node script args…`) with the global flags that come before the last of the command's words moved after
 * them. `words` are the command words of the tree (`endpoint`, `list`, …): the command is the run of them at the
 * start of the arguments, global flags aside.
 */
export const hoist = (argv: ReadonlyArray<string>, words: ReadonlySet<string>): Array<string> => {
  const [node = "node", script = "azcdn", ...args] = argv
  const moved: Array<string> = []
  const command: Array<string> = []
  let i = 0
  while (i < args.length) {
    const token = args[i] as string
    const flag = flagOf(token)
    if (flag !== undefined) {
      const takesValue = (globalFlags.get(flag.name) ?? false) && !flag.joined
      moved.push(...args.slice(i, takesValue ? i + 2 : i + 1))
      i += takesValue ? 2 : 1
    } else if (words.has(token)) {
      command.push(token)
      i += 1
    } else {
      break
    }
  }
  // Nothing before the command words: leave the line as it was written.
  if (moved.length === 0) return [...argv]
  return [node, script, ...command, ...args.slice(i), ...moved]
}

/** The last value given to a global flag (`-o json`, `--output=json`), as the parser reads it. */
export const flagValue = (argv: ReadonlyArray<string>, names: ReadonlyArray<string>): string | undefined => {
  let value: string | undefined
  for (let i = 2; i < argv.length; i++) {
    const token = argv[i] as string
    if (token === "--") break
    const flag = flagOf(token)
    if (flag === undefined || !names.includes(flag.name)) continue
    value = flag.joined ? token.slice(token.indexOf("=") + 1) : argv[i + 1]
  }
  return value
}
