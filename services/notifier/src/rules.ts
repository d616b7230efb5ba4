import { AppError } from '@kickmon/shared/errors'
import type { NotifierInput, Rule } from '@kickmon/shared/contracts/notifier'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Actor } from '@kickmon/shared/contracts/auth'
import { AuthInternalApi } from '@kickmon/shared/contracts/auth-internal'
import { request } from '@kickmon/shared/rpc'
import { getChannelRow } from './channels.ts'
import { iso, type NotifierDeps } from './deps.ts'
import { isAdmin, requireOwner, type Principal } from './principal.ts'
import { checkTemplate } from './templates.ts'

// Rules: which events of which streamers go to a channel. A rule belongs to its channel's
// owner; its streamers must be ones the caller can see ("*" = every streamer the owner can
// see when each event happens; for an admin or an operator, the whole installation).

type RuleRow = {
  id: string; owner_id: number | null; channel_id: string; streamers: string[] | null; events: Rule['events']
  min_viewers: number | null; cooldown_s: number; template: string | null; created_at: Date
}

export const presentRule = (r: RuleRow): Rule => ({
  id: Number(r.id), owner_id: r.owner_id, channel_id: Number(r.channel_id), streamers: r.streamers ?? '*', events: r.events,
  min_viewers: r.min_viewers, cooldown_s: r.cooldown_s, template: r.template, created_at: iso(r.created_at),
})

/** Every named streamer must be one the caller may see (a viewer's alerts stay within their list). */
async function requireVisible(nc: NatsConnection, p: Principal, streamers: '*' | string[], requestId: string) {
  if (streamers === '*' || isAdmin(p) || p.userId === null) return
  const v = await request(nc, AuthInternalApi.accessVisible.subject, { user_id: p.userId }, AuthInternalApi.accessVisible.output, { requestId })
  if (v.all) return
  const hidden = streamers.filter((s) => !v.slugs.includes(s))
  if (hidden.length) throw new AppError('VALIDATION', `streamers: not among the streamers you can see: ${hidden.slice(0, 10).join(', ')}`)
}

const dedupe = (s: '*' | string[]) => (s === '*' ? null : [...new Set(s)])

export async function createRule(d: NotifierDeps, p: Principal, i: NotifierInput<'rulesCreate'> & { actor: Actor }, requestId: string): Promise<Rule> {
  const ch = await getChannelRow(d, p, i.channel_id)
  if (i.template) {
    if (ch.type === 'webhook') throw new AppError('VALIDATION', 'template: webhook channels send a fixed JSON payload; templates apply to the other types')
    await checkTemplate(i.template)
  }
  await requireVisible(d.nc, p, i.streamers, requestId)
  const [r] = await d.sql<RuleRow[]>`
    insert into notify_rules (owner_id, channel_id, streamers, events, min_viewers, cooldown_s, template)
    values (${ch.owner_id}, ${ch.id}, ${dedupe(i.streamers)}, ${[...new Set(i.events)]}, ${i.min_viewers ?? null}, ${i.cooldown_s ?? 600}, ${i.template ?? null})
    returning *`
  return presentRule(r!)
}

export async function getRuleRow(d: NotifierDeps, p: Principal, id: number): Promise<RuleRow> {
  const [r] = await d.sql<RuleRow[]>`select * from notify_rules where id = ${id}`
  if (!r) throw new AppError('NOT_FOUND', 'there is no rule with that id')
  requireOwner(p, r.owner_id, 'rule')
  return r
}

export async function listRules(d: NotifierDeps, p: Principal, f: { channel_id?: number; slug?: string }): Promise<Rule[]> {
  const rows = await d.sql<RuleRow[]>`
    select * from notify_rules where true
      ${isAdmin(p) ? d.sql`` : d.sql`and owner_id = ${p.userId}`}
      ${f.channel_id ? d.sql`and channel_id = ${f.channel_id}` : d.sql``}
      ${f.slug ? d.sql`and (streamers is null or ${f.slug} = any(streamers))` : d.sql``}
    order by id`
  return rows.map(presentRule)
}

export async function updateRule(d: NotifierDeps, p: Principal, i: NotifierInput<'rulesUpdate'> & { actor: Actor }, requestId: string): Promise<Rule> {
  const r = await getRuleRow(d, p, i.id)
  if (i.template) {
    const [ch] = await d.sql<{ type: string }[]>`select type from notify_channels where id = ${r.channel_id}`
    if (ch?.type === 'webhook') throw new AppError('VALIDATION', 'template: webhook channels send a fixed JSON payload; templates apply to the other types')
    await checkTemplate(i.template)
  }
  if (i.streamers) await requireVisible(d.nc, p, i.streamers, requestId)
  const [u] = await d.sql<RuleRow[]>`
    update notify_rules set
      streamers = ${i.streamers !== undefined ? dedupe(i.streamers) : r.streamers},
      events = ${i.events ? [...new Set(i.events)] : r.events},
      min_viewers = ${i.min_viewers !== undefined ? i.min_viewers : r.min_viewers},
      cooldown_s = ${i.cooldown_s ?? r.cooldown_s},
      template = ${i.template !== undefined ? i.template : r.template}
    where id = ${i.id} returning *`
  return presentRule(u!)
}

export async function deleteRule(d: NotifierDeps, p: Principal, id: number) {
  await getRuleRow(d, p, id)
  await d.sql`delete from notify_rules where id = ${id}`
}
