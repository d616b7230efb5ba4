import { VERSION } from '@kickmon/shared/service'
import type { Group } from './command.ts'
import { Exit, usage, type ExitCode } from './exit-codes.ts'
import { GROUPS } from './groups.ts'
import { commandHelp, groupHelp, topHelp } from './help.ts'

// Which command an argv names: global flags out, then the group and its command, or the help
// text to print instead (with its exit code). Arguments are parsed by the command itself.

const GLOBAL_FLAGS = new Set(['--json', '--no-color', '--help', '-h', '--version'])

export type Globals = { json: boolean; noColor: boolean; help: boolean; version: boolean }
export type Invocation =
  | { kind: 'help'; text: string; code: ExitCode }
  | { kind: 'run'; group: Group; command: Group['commands'][number]; rest: string[]; where: string }

/** Global flags may sit anywhere before a `--`; they are taken out before the command is found. */
export function splitGlobals(argv: string[]): { globals: Globals; rest: string[] } {
  const dd = argv.indexOf('--')
  const head = dd < 0 ? argv : argv.slice(0, dd)
  const tail = dd < 0 ? [] : argv.slice(dd)
  const has = (...f: string[]) => head.some((a) => f.includes(a))
  return {
    globals: { json: has('--json'), noColor: has('--no-color'), help: has('--help', '-h'), version: has('--version') },
    rest: [...head.filter((a) => !GLOBAL_FLAGS.has(a)), ...tail],
  }
}

export function resolve(rest: string[], g: Globals): Invocation {
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
