#!/usr/bin/env bun
// `kickmon`: the operator's command line (docs/cli.md). This file only wires: it finds the
// command, parses and validates its arguments, runs it and turns the outcome into an exit code.
import { AppError } from '@kickmon/shared/errors'
import { VERSION } from '@kickmon/shared/service'
import { parseArgv, parsePositionals } from './args.ts'
import type { Group } from './command.ts'
import { Ctx } from './context.ts'
import { CliError, errorCodeOf, Exit, exitCodeOf, usage, type ExitCode } from './exit-codes.ts'
import { GROUPS } from './groups.ts'
import { commandHelp, groupHelp, topHelp } from './help.ts'

const GLOBAL_FLAGS = new Set(['--json', '--no-color', '--help', '-h', '--version'])

type Globals = { json: boolean; noColor: boolean; help: boolean; version: boolean }
type Invocation =
  | { kind: 'help'; text: string; code: ExitCode }
  | { kind: 'run'; group: Group; command: Group['commands'][number]; rest: string[]; where: string }

/** Global flags may sit anywhere before a `--`; they are taken out before the command is found. */
function splitGlobals(argv: string[]): { globals: Globals; rest: string[] } {
  const dd = argv.indexOf('--')
  const head = dd < 0 ? argv : argv.slice(0, dd)
  const tail = dd < 0 ? [] : argv.slice(dd)
  const has = (...f: string[]) => head.some((a) => f.includes(a))
  return {
    globals: { json: has('--json'), noColor: has('--no-color'), help: has('--help', '-h'), version: has('--version') },
    rest: [...head.filter((a) => !GLOBAL_FLAGS.has(a)), ...tail],
  }
}

function resolve(rest: string[], g: Globals): Invocation {
  if (rest[0] === 'help') return resolveHelp(rest.slice(1))
  const groupName = rest[0]
  if (!groupName) {
    if (g.version) return { kind: 'help', text: VERSION, code: Exit.OK }
    return { kind: 'help', text: topHelp(GROUPS, VERSION), code: g.help ? Exit.OK : Exit.USAGE }
  }
  if (groupName.startsWith('-')) throw usage(`unknown option ${groupName.split('=')[0]} before the command (see "kickmon --help")`)
  const group = GROUPS.find((x) => x.name === groupName)
  if (!group) throw usage(`unknown command "${groupName}" (commands: ${GROUPS.map((x) => x.name).join(', ')}; see "kickmon --help")`)
  if (group.single) return { kind: 'run', group, command: group.commands[0]!, rest: rest.slice(1), where: group.name }
  const sub = rest[1]
  if (!sub || sub.startsWith('-')) {
    if (sub && !g.help) throw usage(`"kickmon ${group.name}" needs a command before ${sub} (try: ${group.commands.map((c) => c.name).join(', ')})`)
    return { kind: 'help', text: groupHelp(group), code: g.help ? Exit.OK : Exit.USAGE }
  }
  const command = group.commands.find((c) => c.name === sub)
  if (!command) throw usage(`unknown command "${group.name} ${sub}" (try: ${group.commands.map((c) => c.name).join(', ')})`)
  return { kind: 'run', group, command, rest: rest.slice(2), where: `${group.name} ${command.name}` }
}

function resolveHelp(words: string[]): Invocation {
  const group = GROUPS.find((g) => g.name === words[0])
  if (!group) return { kind: 'help', text: topHelp(GROUPS, VERSION), code: words[0] ? Exit.USAGE : Exit.OK }
  const command = group.commands.find((c) => c.name === words[1])
  return { kind: 'help', text: command && !group.single ? commandHelp(group, command) : groupHelp(group), code: Exit.OK }
}

const writer = (s: NodeJS.WriteStream) => ({ write: (t: string) => void s.write(t), isTTY: !!s.isTTY, columns: s.columns })

async function main(argv: string[]): Promise<ExitCode> {
  const { globals, rest } = splitGlobals(argv)
  const color = !globals.json && !globals.noColor && !process.env.NO_COLOR && !!process.stdout.isTTY
  const ctx = new Ctx({ json: globals.json, color, stdout: writer(process.stdout), stderr: writer(process.stderr) })
  try {
    const inv = resolve(rest, globals)
    if (inv.kind === 'help') {
      ;(inv.code === Exit.OK ? process.stdout : process.stderr).write(inv.text + '\n')
      return inv.code
    }
    if (globals.help) {
      process.stdout.write(commandHelp(inv.group, inv.command) + '\n')
      return Exit.OK
    }
    const { opts, positionals } = parseArgv(inv.rest, inv.command.options, inv.where)
    const args = parsePositionals(inv.command, positionals, inv.where)
    return (await inv.command.run(ctx, opts as never, args)) ?? Exit.OK
  } catch (e) {
    return report(ctx, e)
  } finally {
    await ctx.close()
  }
}

/** One line on stderr (and the error as JSON on stdout with --json). */
function report(ctx: Ctx, e: unknown): ExitCode {
  const code = exitCodeOf(e)
  const known = e instanceof CliError || e instanceof AppError
  const message = known ? (e as Error).message : `unexpected error: ${(e as Error)?.message ?? String(e)}`
  if (ctx.json) ctx.out.data({ error: { code: errorCodeOf(e), message, exit_code: code } })
  process.stderr.write(`kickmon: ${message.split('\n')[0]}\n`)
  if (!known && process.env.KICKMON_DEBUG) console.error(e)
  return code
}

const code = await main(process.argv.slice(2))
// Let stdout drain into a pipe before exiting.
await new Promise<void>((r) => (process.stdout.write('') ? r() : process.stdout.once('drain', () => r())))
process.exit(code)
