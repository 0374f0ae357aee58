/**
 * Shell completion from the command tree: the words of a line so far give the candidates for the word being typed
 * (subcommands, the command's own flags and the global ones, a flag's values, profile names). The scripts of
 * `azcdn completion bash|zsh|fish` ask `azcdn __complete <shell> <words…>` for them; when there are none, the shell
 * completes file names.
 */
import { readFileSync } from "node:fs"
import type { CommandSpec, OptionSpec } from "./CommandTree.js"
import { configPath } from "./Profiles.js"

export const shells = ["bash", "zsh", "fish"] as const
export type Shell = (typeof shells)[number]

/** A candidate, with what it is for (fish shows it). */
export interface Candidate {
  readonly value: string
  readonly description: string
}

// The flags every line takes before a command is named.
const rootFlags: ReadonlyArray<Candidate> = [
  { value: "--help", description: "help" },
  { value: "--version", description: "the version" }
]

const helpFlag: Candidate = { value: "--help", description: "help" }

// Profile names, from the profiles file; none when it cannot be read.
const profileNames = (): ReadonlyArray<string> => {
  try {
    const file = JSON.parse(readFileSync(configPath(), "utf8")) as { profiles?: Record<string, unknown> }
    return Object.keys(file.profiles ?? {}).sort()
  } catch {
    return []
  }
}

// A description cut to what fits beside a candidate: its first clause, at most 60 characters.
const short = (text: string): string => {
  const end = text.search(/(?<!\be\.g|\bi\.e)\.(\s|$)|[;[(:]/)
  const clause = (end === -1 ? text : text.slice(0, end)).trim()
  return clause.length <= 60 ? clause : `${clause.slice(0, 59).trimEnd()}…`
}

const optionIn = (options: ReadonlyArray<OptionSpec>, word: string): OptionSpec | undefined => {
  const name = word.includes("=") ? word.slice(0, word.indexOf("=")) : word
  return options.find((option) => option.name === name || option.aliases.includes(name))
}

// Global flags before the command: the leaves all take them, so the first leaf's say which they are.
const globalsOf = (root: CommandSpec, globalNames: ReadonlySet<string>): ReadonlyArray<OptionSpec> => {
  let leaf = root
  while (leaf.children[0] !== undefined) leaf = leaf.children[0]
  return leaf.options.filter((option) => globalNames.has(option.name))
}

/** The candidates for the last of `words` (the words after `azcdn`, the one being typed last, maybe empty). */
export const candidates = (
  root: CommandSpec,
  words: ReadonlyArray<string>,
  globalNames: ReadonlySet<string>
): ReadonlyArray<Candidate> => {
  const current = words.at(-1) ?? ""
  const globals = globalsOf(root, globalNames)
  let command = root
  let pending: OptionSpec | undefined
  let positional = false
  for (const word of words.slice(0, -1)) {
    if (pending !== undefined) {
      pending = undefined
      continue
    }
    if (word.startsWith("-")) {
      const option = optionIn([...command.options, ...globals], word)
      if (option?.value !== undefined && !word.includes("=")) pending = option
      continue
    }
    const child = positional ? undefined : command.children.find((next) => next.path.at(-1) === word)
    if (child !== undefined) command = child
    else positional = true
  }
  if (pending !== undefined) {
    const values = pending.choices ?? (pending.name === "--profile" ? profileNames() : [])
    return values.filter((value) => value.startsWith(current)).map((value) => ({ value, description: pending.name }))
  }
  if (current.startsWith("-")) {
    const options =
      command === root ? [...globals, ...rootFlags.map(asOption)] : [...command.options, asOption(helpFlag)]
    return options
      .flatMap((option) =>
        [option.name, ...option.aliases].map((value) => ({ value, description: short(option.description) }))
      )
      .filter((candidate) => candidate.value.startsWith(current))
  }
  if (positional) return []
  return command.children
    .map((child) => ({ value: child.path.at(-1) as string, description: short(child.description) }))
    .filter((candidate) => candidate.value.startsWith(current))
}

const asOption = (candidate: Candidate): OptionSpec => ({
  name: candidate.value,
  aliases: candidate.value === "--help" ? ["-h"] : [],
  value: undefined,
  choices: undefined,
  description: candidate.description,
  required: false,
  repeated: false
})

/** The candidates as a shell's script reads them: one per line; fish's with a tab and the description. */
export const candidateLines = (shell: Shell, found: ReadonlyArray<Candidate>): string =>
  found
    .map((candidate) => (shell === "fish" ? `${candidate.value}\t${candidate.description}` : candidate.value))
    .join("\n")

/** The script that installs completion in `shell`. */
export const script = (shell: Shell): string => {
  switch (shell) {
    case "bash":
      return `# azcdn completion for bash: source it, or save it as
# ~/.local/share/bash-completion/completions/azcdn
_azcdn() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\\n'
  local found
  found=$(azcdn __complete bash "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=($(compgen -W "$found" -- "$cur"))
}
complete -o default -o nosort -F _azcdn azcdn
`
    case "zsh":
      return `#compdef azcdn
# azcdn completion for zsh: save it as _azcdn in a folder of $fpath (then compinit), or source it after compinit.
_azcdn() {
  local -a found
  found=("\${(@f)$(azcdn __complete zsh "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#found} )) && [[ -n "\${found[1]}" ]]; then
    compadd -Q -a found
  else
    _files
  fi
}
if [[ "\${funcstack[1]}" == "_azcdn" ]]; then
  _azcdn "$@"
else
  compdef _azcdn azcdn
fi
`
    case "fish":
      return `# azcdn completion for fish: source it, or save it as ~/.config/fish/completions/azcdn.fish
function __azcdn_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l found (azcdn __complete fish $tokens[2..-1] "$current" 2>/dev/null)
    if test (count $found) -gt 0
        printf '%s\\n' $found
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c azcdn -f -a '(__azcdn_complete)'
`
  }
}
