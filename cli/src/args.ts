import { z } from 'zod'
import { flagName, type Command, type OptionDefs } from './command.ts'

type OptionDef<S extends z.ZodType> = { schema: S; help: string; value: string }
import { usage } from './exit-codes.ts'

export type Parsed = { opts: Record<string, unknown>; positionals: string[] }

/**
 * Our own small parser: `--name value`, `--name=value`, `-x`, `--` ends options, `-` is a
 * positional (stdin). Every mistake is a usage error that says what to type instead.
 */
export function parseArgv(argv: string[], defs: OptionDefs, where: string): Parsed {
  const byFlag = new Map<string, string>()
  for (const [key, def] of Object.entries(defs)) {
    byFlag.set(flagName(key), key)
    if (def.short) byFlag.set(`-${def.short}`, key)
  }
  const raw: Record<string, unknown> = {}
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (tok === '-' || !tok.startsWith('-')) {
      positionals.push(tok)
      continue
    }
    const eq = tok.indexOf('=')
    const name = tok.startsWith('--') && eq > 0 ? tok.slice(0, eq) : tok
    const key = byFlag.get(name)
    if (!key) {
      if (name === '--password' || name === '--secret-value')
        throw usage(`${name} is not accepted: a secret on the command line ends up in shell history and "ps"; use --password-stdin or answer the prompt`)
      throw usage(`unknown option ${name} for "${where}" (see "kickmon ${where} --help")`)
    }
    const def = defs[key]!
    if (!def.value) {
      if (eq > 0 && tok.startsWith('--')) throw usage(`${name} is a flag and takes no value`)
      raw[key] = true
      continue
    }
    const value = eq > 0 && tok.startsWith('--') ? tok.slice(eq + 1) : argv[++i]
    if (value === undefined) throw usage(`${name} needs a value: ${name} <${def.value}>`)
    raw[key] = value
  }
  const opts: Record<string, unknown> = {}
  for (const [key, def] of Object.entries(defs)) {
    const r = def.schema.safeParse(raw[key])
    if (!r.success) throw usage(`${flagName(key)}: ${r.error.issues[0]?.message ?? 'invalid value'}`)
    opts[key] = r.data
  }
  return { opts, positionals }
}

type Slot = { name: string; required: boolean; repeated: boolean }

export function slots(usageText: string): Slot[] {
  return [...usageText.matchAll(/([<[])([\w-]+)(\.\.\.)?[>\]]/g)].map((m) => ({ name: m[2]!, required: m[1] === '<', repeated: !!m[3] }))
}

/** Checks the count against the usage line, then validates the values with the command's schema. */
export function parsePositionals(cmd: Command<any, any>, positionals: string[], where: string): unknown {
  const s = slots(cmd.usage)
  const min = s.filter((x) => x.required).length
  const max = s.some((x) => x.repeated) ? Infinity : s.length
  if (positionals.length < min) {
    const missing = s[positionals.length]!
    throw usage(`missing <${missing.name}>: kickmon ${where} ${cmd.usage}`)
  }
  if (positionals.length > max) throw usage(`unexpected argument "${positionals[max]}": kickmon ${where} ${cmd.usage}`.trimEnd())
  const r = (cmd.args as z.ZodType).safeParse(positionals)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  const index = typeof issue.path[0] === 'number' ? issue.path[0] : 0
  const slot = s[Math.min(index, s.length - 1)]
  const value = positionals[index]
  throw usage(`${slot ? `<${slot.name}>` : 'argument'}${value !== undefined ? ` "${value}"` : ''}: ${issue.message}`)
}

// Small schema helpers for option definitions.
export const flag = (help: string, short?: string) => ({ schema: z.boolean().default(false), help, short })
export function intOption(value: string, help: string, min: number, max: number): OptionDef<z.ZodOptional<z.ZodNumber>>
export function intOption(value: string, help: string, min: number, max: number, def: number): OptionDef<z.ZodDefault<z.ZodNumber>>
export function intOption(value: string, help: string, min: number, max: number, def?: number) {
  const msg = `must be a whole number from ${min} to ${max}`
  const n = z.coerce.number({ error: msg }).int(msg).min(min, msg).max(max, msg)
  return { schema: def === undefined ? n.optional() : n.default(def), help, value }
}
export const noArgs = z.array(z.string()).length(0)
