import type { Delivery } from '@kickmon/shared/contracts/notifier'
import { iso, type NotifierDeps } from './deps.ts'
import { isAdmin, type Principal } from './principal.ts'

type Row = Omit<Delivery, 'id' | 'rule_id' | 'channel_id' | 'event_at' | 'recorded_at' | 'done_at'> & {
  id: string; rule_id: string; channel_id: string; event_at: Date; recorded_at: Date; done_at: Date | null
}

/** The delivery log, newest first: what was sent where, with the provider's answer. */
export async function listDeliveries(d: NotifierDeps, p: Principal, q: { channel_id?: number; rule_id?: number; limit: number; before?: number }): Promise<Delivery[]> {
  const rows = await d.sql<Row[]>`
    select d.id, d.rule_id, d.channel_id, c.type as channel_type, d.event_id, d.event_type, d.slug, d.event_at, d.status,
      d.attempts, d.provider_status, d.provider_answer, d.error, d.note, d.recorded_at, d.done_at
    from notify_deliveries d join notify_channels c on c.id = d.channel_id
    where true
      ${isAdmin(p) ? d.sql`` : d.sql`and c.owner_id = ${p.userId}`}
      ${q.channel_id ? d.sql`and d.channel_id = ${q.channel_id}` : d.sql``}
      ${q.rule_id ? d.sql`and d.rule_id = ${q.rule_id}` : d.sql``}
      ${q.before ? d.sql`and d.id < ${q.before}` : d.sql``}
    order by d.id desc limit ${q.limit}`
  return rows.map((r) => ({
    ...r, id: Number(r.id), rule_id: Number(r.rule_id), channel_id: Number(r.channel_id),
    event_at: iso(r.event_at), recorded_at: iso(r.recorded_at), done_at: r.done_at ? iso(r.done_at) : null,
  }))
}
