import { z } from 'zod'
import { EventType } from '@kickmon/shared/contracts/status'
import { ChannelType, NotifierApi, type Channel } from '@kickmon/shared/contracts/notifier'
import { Slug } from '@kickmon/shared/validation'
import { intOption, noArgs } from '../args.ts'
import { command, type Group } from '../command.ts'
import { Exit, usage } from '../exit-codes.ts'
import { localTime } from '../format.ts'

// Go-live alerts from the terminal (docs/notifications.md). Operators act as the `cli` system
// actor, which sees every channel and owns the installation-wide ones it creates.
const actor = { system: 'cli' } as const
const Id = z.coerce.number({ error: 'must be a number' }).int().positive()

function configSummary(c: Channel): string {
  return Object.entries(c.config).filter(([k]) => k !== 'update_every_s').map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')
}

const channels = command({
  name: 'channels',
  summary: 'every notification channel (secrets masked) and whether it is broken',
  usage: '',
  options: {},
  args: noArgs,
  examples: ['kickmon notify channels', "kickmon notify channels --json | jq -r '.channels[] | select(.broken) | .name'"],
  run: async (ctx) => {
    const r = await ctx.call(NotifierApi.channelsList, { actor })
    if (ctx.json) return ctx.out.data(r)
    const { s } = ctx.out
    ctx.out.table(
      [
        { header: 'ID', get: (c) => String(c.id), align: 'right' },
        { header: 'NAME', get: (c) => c.name },
        { header: 'TYPE', get: (c) => c.type },
        { header: 'OWNER', get: (c) => (c.owner_id === null ? 'installation' : `user ${c.owner_id}`) },
        { header: 'STATE', get: (c) => (c.broken ? 'broken' : 'ok'), style: (v, c) => (c.broken ? s.red(v) : s.green(v)) },
        { header: 'SETTINGS', get: configSummary, flex: true },
      ],
      r.channels,
      'no channels (add one with kickmon notify add-channel)',
    )
    for (const c of r.channels.filter((x) => x.broken)) ctx.out.line(s.yellow(`channel ${c.id} is broken: ${c.broken_reason ?? ''}`))
  },
})

const rules = command({
  name: 'rules',
  summary: 'every rule: which events of which streamers go to which channel',
  usage: '',
  options: { channel: { schema: Id.optional(), value: 'id', help: 'only the rules of this channel' } },
  args: noArgs,
  examples: ['kickmon notify rules', 'kickmon notify rules --channel 3 --json'],
  run: async (ctx, o) => {
    const r = await ctx.call(NotifierApi.rulesList, { actor, ...(o.channel ? { channel_id: o.channel } : {}) })
    if (ctx.json) return ctx.out.data(r)
    ctx.out.table(
      [
        { header: 'ID', get: (x) => String(x.id), align: 'right' },
        { header: 'CHANNEL', get: (x) => String(x.channel_id), align: 'right' },
        { header: 'STREAMERS', get: (x) => (x.streamers === '*' ? '*' : x.streamers.join(',')), flex: true },
        { header: 'EVENTS', get: (x) => x.events.join(',') },
        { header: 'MIN', get: (x) => (x.min_viewers === null ? '' : String(x.min_viewers)), align: 'right' },
        { header: 'COOLDOWN', get: (x) => `${x.cooldown_s}s`, align: 'right' },
        { header: 'TEMPLATE', get: (x) => (x.template ? 'own' : 'default') },
      ],
      r.rules,
      'no rules',
    )
  },
})

const deliveries = command({
  name: 'deliveries',
  summary: 'the delivery log, newest first: status, attempts, the provider’s answer',
  usage: '',
  options: {
    channel: { schema: Id.optional(), value: 'id', help: 'only this channel' },
    rule: { schema: Id.optional(), value: 'id', help: 'only this rule' },
    limit: intOption('n', 'at most this many (default 20)', 1, 500, 20),
  },
  args: noArgs,
  examples: ['kickmon notify deliveries', 'kickmon notify deliveries --channel 3 --limit 100 --json'],
  run: async (ctx, o) => {
    const r = await ctx.call(NotifierApi.deliveriesList, { actor, limit: o.limit, ...(o.channel ? { channel_id: o.channel } : {}), ...(o.rule ? { rule_id: o.rule } : {}) })
    if (ctx.json) return ctx.out.data(r)
    const { s } = ctx.out
    ctx.out.table(
      [
        { header: 'ID', get: (x) => String(x.id), align: 'right' },
        { header: 'RECORDED', get: (x) => localTime(x.recorded_at) },
        { header: 'CHANNEL', get: (x) => `${x.channel_id} ${x.channel_type}` },
        { header: 'EVENT', get: (x) => `${x.slug} ${x.event_type}` },
        { header: 'STATUS', get: (x) => x.status, style: (v, x) => (x.status === 'sent' ? s.green(v) : x.status === 'failed' ? s.red(v) : s.yellow(v)) },
        { header: 'TRIES', get: (x) => String(x.attempts), align: 'right' },
        { header: 'ANSWER', get: (x) => [x.provider_status, x.error ?? x.note].filter((v) => v !== null && v !== undefined).join(' '), flex: true },
      ],
      r.deliveries,
      'nothing delivered yet',
    )
  },
})

const test = command({
  name: 'test',
  summary: 'send a real test message through a channel and show the provider’s answer',
  usage: '<channel-id>',
  options: {},
  args: z.tuple([Id]),
  examples: ['kickmon notify test 3'],
  run: async (ctx, _o, [id]) => {
    const r = await ctx.call(NotifierApi.channelsTest, { actor, id }, { timeout: 30_000 })
    if (ctx.json) ctx.out.data(r)
    else {
      const { s } = ctx.out
      ctx.out.line(r.ok ? s.green(`sent (${r.provider_status ?? ''})`) : s.red(`failed${r.provider_status ? ` (${r.provider_status})` : ''}: ${r.error ?? ''}`))
      if (r.provider_answer) ctx.out.line(s.dim(r.provider_answer.slice(0, 500)))
    }
    return r.ok ? Exit.OK : Exit.UNAVAILABLE
  },
})

const addChannel = command({
  name: 'add-channel',
  summary: 'add an installation-wide channel; --config is the type’s settings as JSON',
  usage: '<type> <name>',
  description: 'Types and their settings: docs/notifications.md. For a webhook channel the signing secret (whsec_…) is printed once.',
  options: { config: { schema: z.string().min(2).max(10_000), value: 'json', help: 'the settings, e.g. \'{"webhook_url":"https://discord.com/api/webhooks/…"}\'' } },
  args: z.tuple([ChannelType, z.string().min(1).max(100)]),
  examples: [`kickmon notify add-channel discord team --config '{"webhook_url":"https://discord.com/api/webhooks/1/abc"}'`, `kickmon notify add-channel webhook mine --config '{"url":"https://example.com/kick"}'`],
  run: async (ctx, o, [type, name]) => {
    let config: unknown
    try {
      config = JSON.parse(o.config)
    } catch {
      throw usage('--config must be a JSON object')
    }
    const r = await ctx.call(NotifierApi.channelsCreate, { actor, type, name, config: config as Record<string, unknown> })
    if (ctx.json) return ctx.out.data(r)
    ctx.out.line(`added channel ${r.channel.id} (${r.channel.type} ${r.channel.name})`)
    if (r.secret) ctx.out.line(`signing secret (shown once): ${r.secret}`)
  },
})

const addRule = command({
  name: 'add-rule',
  summary: 'send events of some (or all: *) streamers to a channel',
  usage: '<channel-id>',
  options: {
    streamers: { schema: z.string().min(1).max(30_000), value: 'slugs|*', help: 'comma-separated slugs, or * for every streamer' },
    events: { schema: z.string().default('online,offline'), value: 'list', help: 'of online, offline, title, category (default online,offline)' },
    minViewers: intOption('n', 'only alert once a stream has this many viewers', 0, 100_000_000),
    cooldown: intOption('s', 'a stream restarting within this long after the last ended sends nothing (default 600)', 0, 86_400),
  },
  args: z.tuple([Id]),
  examples: ['kickmon notify add-rule 3 --streamers xqc,trainwreckstv', 'kickmon notify add-rule 3 --streamers "*" --events online --min-viewers 1000'],
  run: async (ctx, o, [channelId]) => {
    const streamers = o.streamers.trim() === '*' ? '*' : o.streamers.split(',').map((x) => Slug.parse(x))
    const events = z.array(EventType).parse(o.events.split(',').map((x) => x.trim()))
    const r = await ctx.call(NotifierApi.rulesCreate, { actor, channel_id: channelId, streamers, events, min_viewers: o.minViewers ?? null, ...(o.cooldown !== undefined ? { cooldown_s: o.cooldown } : {}) })
    if (ctx.json) return ctx.out.data(r)
    ctx.out.line(`added rule ${r.id}: ${r.events.join(',')} of ${r.streamers === '*' ? 'every streamer' : r.streamers.join(',')} → channel ${r.channel_id}`)
  },
})

const remove = (what: 'channel' | 'rule') =>
  command({
    name: `remove-${what}`,
    summary: what === 'channel' ? 'delete a channel with its rules and delivery log' : 'delete a rule',
    usage: '<id>',
    options: {},
    args: z.tuple([Id]),
    examples: [`kickmon notify remove-${what} 3`],
    run: async (ctx, _o, [id]) => {
      await ctx.call(what === 'channel' ? NotifierApi.channelsDelete : NotifierApi.rulesDelete, { actor, id })
      if (ctx.json) return ctx.out.data({ ok: true, id })
      ctx.out.line(`removed ${what} ${id}`)
    },
  })

export const notifyGroup: Group = {
  name: 'notify',
  summary: 'go-live alerts: channels, rules, the delivery log, test messages',
  commands: [channels, rules, deliveries, test, addChannel, addRule, remove('channel'), remove('rule')],
}
