import { flagName, type Command, type Group, type OptionDefs } from './command.ts'
import { Exit } from './exit-codes.ts'

export const GLOBAL_HELP = [
  ['--json', 'machine-readable output (one JSON document; `watch` prints one per line)'],
  ['--no-color', 'plain text even on a terminal (NO_COLOR=1 does the same)'],
  ['-h, --help', 'this help'],
] as const

const EXIT_LINES = [
  [Exit.OK, 'ok'],
  [Exit.FAILURE, 'failure (a service or the CLI hit an internal error)'],
  [Exit.USAGE, 'usage error: unknown command or option, missing or malformed argument'],
  [Exit.NOT_FOUND, 'not found: streamer, user, configuration key, file or database'],
  [Exit.UNAVAILABLE, 'unavailable: NATS, a service, PostgreSQL, Kick or systemd cannot be reached'],
  [Exit.REJECTED, 'rejected: a valid request refused (invalid value, conflict, changed migration)'],
  [Exit.PARTIAL, 'partly done: some items of a bulk command failed'],
  [Exit.DENIED, 'permission denied'],
  [Exit.INTERRUPTED, 'interrupted (Ctrl-C)'],
] as const

const indent = (lines: string[], n = 2) => lines.map((l) => ' '.repeat(n) + l)

function optionLines(options: OptionDefs): string[] {
  const rows = Object.entries(options).map(([k, d]) => [`${d.short ? `-${d.short}, ` : ''}${flagName(k)}${d.value ? ` <${d.value}>` : ''}`, d.help] as const)
  const all = [...rows, ...GLOBAL_HELP]
  const w = Math.max(...all.map(([a]) => a.length))
  return all.map(([a, b]) => `${a.padEnd(w)}  ${b}`)
}

export function topHelp(groups: Group[], version: string): string {
  const rows = groups.flatMap((g) =>
    g.single ? [[g.name, g.summary]] : g.commands.map((c) => [`${g.name} ${c.name}`, c.summary]),
  )
  const w = Math.max(...rows.map(([a]) => a!.length))
  return [
    `kickmon ${version}: operate Kick Streamer Monitor from a terminal`,
    '',
    'Usage: kickmon <command> [options]',
    '',
    'Commands:',
    ...indent(rows.map(([a, b]) => `${a!.padEnd(w)}  ${b}`)),
    '',
    'Options for every command:',
    ...indent(GLOBAL_HELP.map(([a, b]) => `${a.padEnd(12)}  ${b}`)),
    '',
    'Environment: NATS_URL (every command but db), DATABASE_URL (db only),',
    '  POLLER_PORT, AUTH_PORT, GATEWAY_PORT (where `status` finds /readyz on this machine).',
    '',
    'Exit codes:',
    ...indent(EXIT_LINES.map(([c, t]) => `${String(c).padStart(3)}  ${t}`)),
    '',
    'Examples:',
    ...indent(['kickmon status', 'kickmon streamers add xqc', 'kickmon watch', 'kickmon streamers list --json | jq \'.[] | select(.live)\'']),
    '',
    'Run "kickmon <command> --help" for a command\'s options and examples. docs/cli.md has all of it.',
  ].join('\n')
}

export function groupHelp(g: Group): string {
  if (g.single) return commandHelp(g, g.commands[0]!)
  const w = Math.max(...g.commands.map((c) => c.name.length))
  return [
    `kickmon ${g.name}: ${g.summary}`,
    ...(g.description ? ['', g.description] : []),
    '',
    `Usage: kickmon ${g.name} <command> [options]`,
    '',
    'Commands:',
    ...indent(g.commands.map((c) => `${c.name.padEnd(w)}  ${c.summary}`)),
    '',
    'Examples:',
    ...indent(g.commands.flatMap((c) => c.examples.slice(0, 1))),
    '',
    `Run "kickmon ${g.name} <command> --help" for details.`,
  ].join('\n')
}

export function commandHelp(g: Group, c: Command<any, any>): string {
  const where = g.single ? g.name : `${g.name} ${c.name}`
  return [
    `kickmon ${where}: ${c.summary}`,
    '',
    `Usage: kickmon ${where}${c.usage ? ` ${c.usage}` : ''} [options]`,
    ...(c.description ? ['', c.description] : []),
    '',
    'Options:',
    ...indent(optionLines(c.options)),
    '',
    'Examples:',
    ...indent(c.examples),
  ].join('\n')
}
