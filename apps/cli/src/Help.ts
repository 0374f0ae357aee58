/**
 * `--help` and `-h`, rendered by azcdn from the command tree: the root lists each command once with one line; a
 * command names itself whole in its usage, marks what it requires, names the environment variable beside the option
 * it stands for, and ends with examples that run. As wide as the terminal, else `COLUMNS`, else 80.
 */
import type { CommandSpec, OptionSpec } from "./CommandTree.js"
import { runnable } from "./CommandTree.js"
import { exitCodeTable } from "./ExitCode.js"
import { globalFlags } from "./GlobalArgv.js"

/** The variable (and the profile) an option falls back to. */
export const optionEnvironment: Readonly<Record<string, string>> = {
  "--subscription": "AZURE_CDN_SUBSCRIPTION_ID, or the profile's subscription",
  "--endpoint": "AZURE_CDN_ENDPOINT_ID, or the profile's endpoint",
  "--base-url": "AZURE_CDN_BASE_URL, or the profile's",
  "--key-id": "AZURE_CDN_KEY_ID, or the profile's",
  "--key-value": "AZURE_CDN_KEY_VALUE, or the profile's",
  "--profile": "AZCDN_PROFILE"
}

/** The environment as the root's help lists it. */
export const environment: ReadonlyArray<readonly [string, string]> = [
  ["AZCDN_CONFIG", "the profiles file; default ~/.config/azcdn/config.json"],
  ["AZCDN_PROFILE", "the profile to use when --profile is not given"],
  ["AZURE_CDN_BASE_URL", "the API's base URL (--base-url)"],
  ["AZURE_CDN_KEY_ID", "the API key's ID (--key-id)"],
  ["AZURE_CDN_KEY_VALUE", "the API key's value (--key-value, --key-value-file)"],
  ["AZURE_CDN_SUBSCRIPTION_ID", "the subscription when --subscription is not given"],
  ["AZURE_CDN_ENDPOINT_ID", "the endpoint (GUID or domain) when --endpoint is not given"],
  ["AZURE_CDN_TIMEOUT", "one attempt's time limit, e.g. 10s"],
  ["AZURE_CDN_MAX_ATTEMPTS", "attempts per call, retries included; default 4"],
  ["AZURE_CDN_MAX_RETRY_TIME", "a call's deadline across its attempts, e.g. 30s (--timeout wins)"],
  ["HTTPS_PROXY, HTTP_PROXY, NO_PROXY", "the proxy to reach the API through, and the hosts that go direct"]
]

const S = "5dd0413d-a2f9-442a-b836-128d87753fa9"
const E = "46fecf3c-e874-49aa-891d-0d4dc93213e0"
const O = "a97459bf-e4c4-4d4f-94e4-b775f0f09f31"

/**
 * Examples per command. Each line runs as written in a shell where the key is set (AZURE_CDN_KEY_ID and
 * AZURE_CDN_KEY_VALUE, or a profile), with the files it names in the current folder; the test suite runs them all.
 */
export const examples: Readonly<Record<string, ReadonlyArray<string>>> = {
  purge: [
    `azcdn purge /img/a.png /css/ --subscription ${S} --endpoint file.example.cn`,
    `azcdn purge http://file.example.cn/img/a.png --subscription ${S} --endpoint ${E} --wait`,
    `azcdn purge --from-file urls.txt --subscription ${S} --endpoint file.example.cn --dry-run`
  ],
  "purge show": [
    `azcdn purge show "$(azcdn purge /a.png --subscription ${S} --endpoint ${E} -o tsv)" --subscription ${S} --endpoint ${E}`
  ],
  preload: [`azcdn preload --url http://file.example.cn/img/a.png --subscription ${S} --endpoint ${E} --wait`],
  "preload show": [
    `azcdn preload show "$(azcdn preload --url http://file.example.cn/a.png --subscription ${S} --endpoint ${E} -o tsv)" --subscription ${S} --endpoint ${E}`
  ],
  "operation get": [`azcdn operation get ${O} --subscription ${S} --endpoint ${E}`],
  "operation wait": [`azcdn operation wait ${O} --subscription ${S} --endpoint ${E} --timeout 10m`],
  "endpoint list": [
    `azcdn endpoint list --subscription ${S}`,
    `azcdn endpoint list --subscription ${S} --query "[].Settings.CustomDomain"`
  ],
  "endpoint show": [`azcdn endpoint show --subscription ${S} --endpoint file.example.cn -o yaml`],
  "endpoint create": [
    `azcdn endpoint create --subscription ${S} --domain img.example.cn --origin origin.example.cn --icp "京ICP备1号"`
  ],
  "endpoint update": [`azcdn endpoint update --subscription ${S} --endpoint file.example.cn --origin new.example.cn`],
  "endpoint delete": [`azcdn endpoint delete --subscription ${S} --endpoint file.example.cn --dry-run`],
  "endpoint enable": [`azcdn endpoint enable --subscription ${S} --endpoint file.example.cn --wait`],
  "endpoint disable": [`azcdn endpoint disable --subscription ${S} --endpoint file.example.cn --dry-run`],
  "cache-rules get": [`azcdn cache-rules get --subscription ${S} --endpoint file.example.cn > rules.json`],
  "cache-rules set": [
    `azcdn cache-rules set --subscription ${S} --endpoint file.example.cn --from-file rules.json --yes`
  ],
  "access-control get": [`azcdn access-control get --subscription ${S} --endpoint file.example.cn`],
  "access-control set": [
    `azcdn access-control set --subscription ${S} --endpoint file.example.cn --from-file access.json --yes`
  ],
  "traffic volume": [
    `azcdn traffic volume --subscription ${S} --endpoint file.example.cn --from 24h`,
    `azcdn traffic volume --subscription ${S} --from 7d --granularity PerDay -o tsv`
  ],
  "traffic bandwidth": [`azcdn traffic bandwidth --subscription ${S} --endpoint file.example.cn --from 6h`],
  "traffic report": [`azcdn traffic report --subscription ${S} --from 7d --time-zone Asia/Shanghai --out report.html`],
  "https upload": [`azcdn https upload --subscription ${S} --cert fullchain.pem --key privkey.pem`],
  "https bind": [
    `azcdn https bind --subscription ${S} --endpoint file.example.cn --certificate "$(azcdn https upload --subscription ${S} --cert fullchain.pem --key privkey.pem --query CertificateId -o yaml)"`
  ],
  "https renew": [
    `azcdn https renew --subscription ${S} --cert fullchain.pem --key privkey.pem --endpoint file.example.cn --wait`
  ],
  configure: [
    `azcdn configure --profile work --key-id "$AZURE_CDN_KEY_ID" --key-value-file key.txt --subscription ${S}`
  ],
  sign: [`azcdn sign --method GET --url "/subscriptions/${S}/endpoints?apiVersion=1.0"`],
  emulator: ["azcdn emulator --port 8787"],
  completion: [
    "azcdn completion bash > azcdn.bash",
    "azcdn completion zsh > _azcdn",
    "azcdn completion fish > azcdn.fish"
  ]
}

/** Where help wraps: the terminal's width, else `COLUMNS`, else 80. */
export const widthFor = (stream: NodeJS.WriteStream = process.stdout): number => {
  if (stream.isTTY === true && typeof stream.columns === "number" && stream.columns > 0) return stream.columns
  const columns = Number.parseInt(process.env.COLUMNS ?? "", 10)
  return Number.isFinite(columns) && columns >= 40 ? columns : 80
}

/** `text` in lines of at most `width`, each after `indent` spaces (the first after `first`, when given). */
const wrap = (text: string, width: number, indent: number, first = indent): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  let room = width - first
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line)
      line = word
      room = width - indent
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines.map((text, i) => `${" ".repeat(i === 0 ? first : indent)}${text}`)
}

/** Rows of a term and its meaning: the meaning beside a short term, below a long one. */
const table = (rows: ReadonlyArray<readonly [string, string]>, width: number): Array<string> => {
  const column = Math.min(30, Math.max(...rows.map(([term]) => term.length)) + 4)
  return rows.flatMap(([term, meaning]) => {
    const termLine = `  ${term}`
    if (meaning === "") return [termLine]
    if (termLine.length + 2 <= column) {
      const [head = "", ...rest] = wrap(meaning, width, column)
      return [`${termLine}${head.slice(termLine.length)}`, ...rest]
    }
    return [termLine, ...wrap(meaning, width, column)]
  })
}

/** A shell command in lines of at most `width`, continued with ` \\` so that it still pastes and runs. */
export const shellLines = (command: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = "  "
  for (const word of command.split(" ")) {
    if (line.trim() !== "" && line.length + 1 + word.length + 2 > width) {
      lines.push(`${line} \\`)
      // Continued lines indent further, unless the word would not fit.
      line = `${word.length + 4 > width ? "  " : "    "}${word}`
    } else {
      line = line.trim() === "" ? `${line}${word}` : `${line} ${word}`
    }
  }
  lines.push(line)
  return lines
}

// The first sentence ("e.g." and "i.e." do not end one).
const sentence = (text: string): string => {
  const end = text.search(/(?<!\be\.g|\bi\.e)\.(\s|$)/)
  return end === -1 ? text : text.slice(0, end + 1)
}

// A description as a sentence, so that what follows it reads apart.
const closed = (text: string): string => (text === "" || /[.!?]$/.test(text) ? text : `${text}.`)

const optionTerm = (option: OptionSpec): string => {
  const names = [...option.aliases, option.name].join(", ")
  const value =
    option.value === undefined
      ? ""
      : option.choices !== undefined
        ? ` ${option.choices.join("|")}`
        : ` <${option.value}>`
  return `${names}${value}`
}

const optionMeaning = (option: OptionSpec): string => {
  const parts = [closed(option.description)]
  if (option.repeated && !/repeat/i.test(option.description)) parts.push("Repeat it for more.")
  const env = optionEnvironment[option.name]
  if (env !== undefined) parts.push(`Env: ${env}.`)
  if (option.required) parts.push("Required.")
  return parts.join(" ").replace(/\s+/g, " ").trim()
}

const isGlobal = (option: OptionSpec) => globalFlags.has(option.name)

const usageOf = (command: CommandSpec): string => {
  const words = ["azcdn", ...command.path]
  if (command.children.length > 0 && command.options.length === 0 && command.args.length === 0) {
    return `${words.join(" ")} <command> [options]`
  }
  const required = command.options.filter((option) => option.required && !isGlobal(option))
  const parts = [
    ...words,
    ...command.args.map((arg) => (arg.required ? `<${arg.name}>` : `[<${arg.name}>${arg.repeated ? "…" : ""}]`)),
    ...required.map(optionTerm),
    "[options]"
  ]
  return parts.join(" ")
}

/** The root's help: what azcdn is, each command once, the global options, exit codes and the environment. */
export const rootHelp = (root: CommandSpec, width: number, version: string): string => {
  const commands = runnable(root).map((command) => [command.path.join(" "), sentence(command.description)] as const)
  const globals = (runnable(root)[0]?.options ?? []).filter(isGlobal)
  return [
    ...wrap(`azcdn ${version}: ${root.description}`, width, 0),
    "",
    "Usage:",
    "  azcdn <command> [options]",
    "  azcdn <command> --help",
    "",
    "Commands:",
    ...table(commands, width),
    "",
    "Global options (anywhere on the line):",
    ...table(
      globals.map((option) => [optionTerm(option), optionMeaning(option)] as const),
      width
    ),
    "",
    "Exit codes:",
    ...table(
      exitCodeTable.map(([code, meaning]) => [String(code), meaning] as const),
      width
    ),
    "",
    "Environment (flags win over it, it over the profile):",
    ...table(environment, width),
    ""
  ].join("\n")
}

/** A command's help: usage, what it does, its options and the global ones, examples. */
export const commandHelp = (command: CommandSpec, width: number): string => {
  const key = command.path.join(" ")
  const own = command.options.filter((option) => !isGlobal(option))
  const globals = command.options.filter(isGlobal)
  const lines = [...wrap(`Usage: ${usageOf(command)}`, width, 4, 0), "", ...wrap(command.description, width, 0)]
  if (command.children.length > 0) {
    lines.push("", "Commands:")
    lines.push(
      ...table(
        command.children.map((child) => [child.path.join(" "), sentence(child.description)] as const),
        width
      )
    )
  }
  if (command.args.length > 0) {
    lines.push("", "Arguments:")
    lines.push(
      ...table(
        command.args.map((arg) => [`<${arg.name}>`, arg.description] as const),
        width
      )
    )
  }
  if (own.length > 0) {
    lines.push("", "Options:")
    lines.push(
      ...table(
        own.map((option) => [optionTerm(option), optionMeaning(option)] as const),
        width
      )
    )
  }
  if (globals.length > 0) {
    lines.push("")
    lines.push(
      ...wrap(
        `Global options (see azcdn --help): ${globals.map((option) => [...option.aliases, option.name].join("/")).join(", ")}.`,
        width,
        2,
        0
      )
    )
  }
  const shown = examples[key]
  if (shown !== undefined) {
    lines.push("", "Examples:")
    for (const example of shown) lines.push(...shellLines(example, width))
  }
  lines.push(
    "",
    ...wrap(
      "Exit codes: 0 success, 1 service or network, 2 usage, 3 not found, 4 failed, 5 timed out (azcdn --help).",
      width,
      0
    ),
    ""
  )
  return lines.join("\n")
}
