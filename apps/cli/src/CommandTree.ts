/**
 * The command tree as plain data (paths, summaries, options with their value kinds, arguments), read from
 * @effect/cli's descriptors once: what `--help` and the shell completions are made from, so that neither can
 * drift from the parser.
 */

import { stripVTControlCharacters } from "node:util"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { Option } from "effect"

export interface OptionSpec {
  /** `--output` */
  readonly name: string
  /** `-o` */
  readonly aliases: ReadonlyArray<string>
  /** What its value is called (`guid`, `duration`); absent for a flag without a value. */
  readonly value: string | undefined
  /** The values it takes, when it takes one of a few (`json`, `yaml`, …). */
  readonly choices: ReadonlyArray<string> | undefined
  readonly description: string
  /** The parser refuses the command without it. */
  readonly required: boolean
  /** It may be given more than once. */
  readonly repeated: boolean
}

export interface ArgSpec {
  readonly name: string
  readonly description: string
  readonly repeated: boolean
  readonly required: boolean
}

export interface CommandSpec {
  /** `["endpoint", "list"]`; empty for the root. */
  readonly path: ReadonlyArray<string>
  readonly description: string
  readonly options: ReadonlyArray<OptionSpec>
  readonly args: ReadonlyArray<ArgSpec>
  readonly children: ReadonlyArray<CommandSpec>
}

// @effect/cli's descriptors, as they are built (their shape is not part of its typed API).
type Doc = HelpDoc.HelpDoc
type Primitive = { readonly _tag: string; readonly alternatives?: ReadonlyArray<readonly [string, unknown]> }
type OptionNode =
  | { readonly _tag: "Empty" }
  | {
      readonly _tag: "Single"
      readonly name: string
      readonly aliases: ReadonlyArray<string>
      readonly primitiveType: Primitive
      readonly description: Doc
      readonly pseudoName: Option.Option<string>
    }
  | {
      readonly _tag: "KeyValueMap" | "Variadic"
      readonly argumentOption: OptionNode
      readonly min?: Option.Option<number>
    }
  | { readonly _tag: "Map" | "WithDefault" | "WithFallback"; readonly options: OptionNode }
  | { readonly _tag: "Both" | "OrElse"; readonly left: OptionNode; readonly right: OptionNode }
type ArgNode =
  | { readonly _tag: "Empty" }
  | {
      readonly _tag: "Single"
      readonly name: string
      readonly pseudoName: Option.Option<string>
      readonly description: Doc
    }
  | { readonly _tag: "Map" | "WithDefault" | "WithFallbackConfig"; readonly args: ArgNode }
  | { readonly _tag: "Variadic"; readonly args: ArgNode; readonly min: Option.Option<number> }
  | { readonly _tag: "Both"; readonly left: ArgNode; readonly right: ArgNode }
type CommandNode =
  | {
      readonly _tag: "Standard" | "GetUserInput"
      readonly name: string
      readonly description: Doc
      readonly options?: OptionNode
      readonly args?: ArgNode
    }
  | { readonly _tag: "Map"; readonly command: CommandNode }
  | { readonly _tag: "Subcommands"; readonly parent: CommandNode; readonly children: ReadonlyArray<CommandNode> }

/** A description as one line of plain text. */
const textOf = (doc: Doc): string => stripVTControlCharacters(HelpDoc.toAnsiText(doc)).replace(/\s+/g, " ").trim()

const optionsOf = (node: OptionNode, required: boolean, repeated: boolean, into: Array<OptionSpec>): void => {
  switch (node._tag) {
    case "Empty":
      return
    case "Single": {
      const takesValue = node.primitiveType._tag !== "Bool"
      const choices = node.primitiveType.alternatives?.map(([name]) => name)
      into.push({
        name: `--${node.name}`,
        aliases: node.aliases.map((alias) => (alias.length === 1 ? `-${alias}` : `--${alias}`)),
        value: takesValue
          ? Option.getOrElse(node.pseudoName, () => (choices === undefined ? "value" : "choice"))
          : undefined,
        choices,
        description: textOf(node.description),
        // A flag without a value is never required: absent, it is false.
        required: required && takesValue,
        repeated
      })
      return
    }
    case "Variadic":
      optionsOf(node.argumentOption, Option.getOrElse(node.min ?? Option.none(), () => 0) > 0, true, into)
      return
    case "KeyValueMap":
      optionsOf(node.argumentOption, required, true, into)
      return
    case "Map":
      optionsOf(node.options, required, repeated, into)
      return
    case "WithDefault":
    case "WithFallback":
      optionsOf(node.options, false, repeated, into)
      return
    case "Both":
      optionsOf(node.left, required, repeated, into)
      optionsOf(node.right, required, repeated, into)
      return
    case "OrElse":
      optionsOf(node.left, false, repeated, into)
      optionsOf(node.right, false, repeated, into)
      return
  }
}

const argsOf = (node: ArgNode, required: boolean, repeated: boolean, into: Array<ArgSpec>): void => {
  switch (node._tag) {
    case "Empty":
      return
    case "Single":
      into.push({
        name: Option.getOrElse(node.pseudoName, () => node.name),
        description: textOf(node.description),
        required,
        repeated
      })
      return
    case "Variadic":
      argsOf(node.args, Option.getOrElse(node.min, () => 0) > 0, true, into)
      return
    case "Map":
      argsOf(node.args, required, repeated, into)
      return
    case "WithDefault":
    case "WithFallbackConfig":
      argsOf(node.args, false, repeated, into)
      return
    case "Both":
      argsOf(node.left, required, repeated, into)
      argsOf(node.right, required, repeated, into)
      return
  }
}

const specOf = (node: CommandNode, parentPath: ReadonlyArray<string>): CommandSpec => {
  switch (node._tag) {
    case "Map":
      return specOf(node.command, parentPath)
    case "Subcommands": {
      const parent = specOf(node.parent, parentPath)
      return { ...parent, children: node.children.map((child) => specOf(child, parent.path)) }
    }
    default: {
      const options: Array<OptionSpec> = []
      const args: Array<ArgSpec> = []
      if (node.options !== undefined) optionsOf(node.options, true, false, options)
      if (node.args !== undefined) argsOf(node.args, true, false, args)
      return {
        path: parentPath.length === 0 && node.name === "azcdn" ? [] : [...parentPath, node.name],
        description: textOf(node.description),
        options,
        args,
        children: []
      }
    }
  }
}

/** The tree under a command's descriptor (`Command.descriptor`). */
export const treeOf = (descriptor: unknown): CommandSpec => specOf(descriptor as CommandNode, [])

/** The command a path of words names, as deep as the words go; the words left over. */
export const find = (
  root: CommandSpec,
  words: ReadonlyArray<string>
): { readonly command: CommandSpec; readonly rest: ReadonlyArray<string> } => {
  let command = root
  let i = 0
  for (; i < words.length; i++) {
    const next = command.children.find((child) => child.path.at(-1) === words[i])
    if (next === undefined) break
    command = next
  }
  return { command, rest: words.slice(i) }
}

/** Every command a user may run, parents before children (a group that only lists its commands is left out). */
export const runnable = (root: CommandSpec): ReadonlyArray<CommandSpec> => {
  const out: Array<CommandSpec> = []
  const visit = (command: CommandSpec) => {
    const own = command.options.length > 0 || command.args.length > 0
    if (command.path.length > 0 && (command.children.length === 0 || own)) out.push(command)
    for (const child of command.children) visit(child)
  }
  visit(root)
  return out
}
