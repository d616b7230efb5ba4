import { z } from 'zod'
import { AuthApi, ConfigKey, MASK, type ConfigEntry } from '@kickmon/shared/contracts/auth'
import { flag, noArgs } from '../args.ts'
import { command, type Group } from '../command.ts'
import type { Ctx } from '../context.ts'
import { usage } from '../exit-codes.ts'
import { localTime } from '../format.ts'
import { readSecret, readStdinText } from '../secret-input.ts'

// The encrypted configuration store kept by the auth service (docs/auth.md).
const actor = { system: 'cli' } as const
const reveal = flag('show encrypted values in clear (they are masked otherwise)')

const get = command({
  name: 'get',
  summary: 'print one value (a secret stays masked unless --reveal)',
  usage: '<key>',
  options: { reveal },
  args: z.tuple([ConfigKey]),
  examples: ['kickmon config get poll.note', 'kickmon config get KICK_CLIENT_SECRET --reveal', 'kickmon config get poll.note --json'],
  run: async (ctx, o, [key]) => {
    const e = await ctx.call(AuthApi.configGet, { actor, key, reveal: o.reveal })
    if (ctx.json) return ctx.out.data(e)
    ctx.out.line(e.value)
  },
})

const set = command({
  name: 'set',
  summary: 'store a value; --secret encrypts it and reads it from a prompt or stdin',
  usage: '<key> [value]',
  description:
    'A plain value may be given on the command line or with --value-stdin. A secret (--secret) is\n' +
    'encrypted with CONFIG_ENCRYPTION_KEY and is never accepted on the command line: type it at the\n' +
    'prompt or pipe it in with --value-stdin.',
  options: { secret: flag('encrypt the value; read it from the prompt or stdin'), valueStdin: flag('read the value from stdin') },
  args: z.tuple([ConfigKey, z.string().optional()]),
  examples: ['kickmon config set poll.note "maintenance at 02:00"', 'kickmon config set KICK_CLIENT_SECRET --secret', "printf '%s' \"$SECRET\" | kickmon config set KICK_CLIENT_SECRET --secret --value-stdin"],
  run: async (ctx, o, [key, value]) => {
    if (o.secret && value !== undefined) throw usage('a secret is never taken from the command line (it would stay in shell history and "ps"): leave the value out and type it at the prompt, or use --value-stdin')
    if (value !== undefined && o.valueStdin) throw usage('give the value either on the command line or with --value-stdin, not both')
    if (value === undefined && !o.secret && !o.valueStdin) throw usage(`missing [value]: kickmon config set ${key} <value> (or --value-stdin)`)
    await ctx.nats()
    const v = value ?? (o.secret ? await readSecret('value', o.valueStdin, true) : (await readStdinText()).replace(/\r?\n$/, ''))
    const e = await ctx.call(AuthApi.configSet, { actor, key, value: v, encrypt: o.secret })
    if (ctx.json) return ctx.out.data(e)
    ctx.out.line(`set ${e.key}${e.encrypted ? ' (encrypted)' : ''}`)
  },
})

const list = command({
  name: 'list',
  summary: 'every key with its value (secrets masked unless --reveal)',
  usage: '',
  options: { prefix: { schema: z.string().max(128).regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, ".", "_" or "-"').optional(), value: 'prefix', help: 'only keys starting with this' }, reveal },
  args: noArgs,
  examples: ['kickmon config list', 'kickmon config list --prefix kick.', 'kickmon config list --json --reveal > config-backup.json'],
  run: async (ctx, o) => {
    const { items } = await ctx.call(AuthApi.configList, { actor, prefix: o.prefix, reveal: o.reveal })
    if (ctx.json) return ctx.out.data(items)
    entries(ctx, items)
  },
})

function entries(ctx: Ctx, items: ConfigEntry[]) {
  ctx.out.table(
    [
      { header: 'KEY', get: (e) => e.key },
      { header: 'VALUE', get: (e) => e.value, flex: true, style: (v, e) => (e.value === MASK ? ctx.out.s.dim(v) : v) },
      { header: 'ENCRYPTED', get: (e) => (e.encrypted ? 'yes' : 'no') },
      { header: 'UPDATED', get: (e) => localTime(e.updated_at) },
    ],
    items,
    'no configuration stored',
  )
}

const unset = command({
  name: 'unset',
  summary: 'delete a key',
  usage: '<key>',
  options: {},
  args: z.tuple([ConfigKey]),
  examples: ['kickmon config unset poll.note'],
  run: async (ctx, _o, [key]) => {
    await ctx.call(AuthApi.configDelete, { actor, key })
    if (ctx.json) return ctx.out.data({ ok: true, key })
    ctx.out.line(`deleted ${key}`)
  },
})

export const configGroup: Group = {
  name: 'config',
  summary: 'the encrypted configuration store: get, set, list, unset',
  commands: [get, set, list, unset],
}
