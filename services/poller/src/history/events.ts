import type { StatusEvent } from '@kickmon/shared/contracts/status'
import type { Sql } from '@kickmon/shared/db'
import type { PollerApi } from '@kickmon/shared/contracts/poller'
import type { z } from 'zod'
import { streamerIdOf } from './streamer.ts'

type Row = { id: string; type: StatusEvent['type']; at: Date; status: StatusEvent['status']; previous: StatusEvent['previous'] }

/**
 * A streamer's recorded events, newest first. Paging is by time (`before` = the last
 * event's `at`), so a page never ends in the middle of events sharing one instant: they
 * move to the next page whole (unless they fill a page by themselves).
 */
export async function eventHistory(sql: Sql, q: z.infer<typeof PollerApi.events.input>): Promise<StatusEvent[]> {
  const id = await streamerIdOf(sql, q.slug)
  const rows = await sql<Row[]>`
    select id, type, at, status, previous from status_events
    where streamer_id = ${id}
      ${q.before ? sql`and at < ${q.before}` : sql``}
      ${q.type ? sql`and type = ${q.type}` : sql``}
    order by at desc, id desc
    limit ${q.limit + 1}`
  let page = rows.slice(0, q.limit)
  const next = rows[q.limit]
  if (next && page.at(-1)!.at.getTime() === next.at.getTime()) {
    const cut = page.findIndex((r) => r.at.getTime() === next.at.getTime())
    if (cut > 0) page = page.slice(0, cut)
  }
  return page.map((r) => ({ id: r.id, type: r.type, slug: q.slug, at: r.at.toISOString(), status: r.status, previous: r.previous }))
}
