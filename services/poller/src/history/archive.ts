import type { Sql } from '@kickmon/shared/db'
import { AppError } from '@kickmon/shared/errors'
import type { ArchivedStreamer, PurgeResult } from '@kickmon/shared/contracts/poller'

/** Archived streamers (removed from monitoring, history kept), most recently archived first. */
export async function archivedStreamers(sql: Sql): Promise<ArchivedStreamer[]> {
  const rows = await sql<{ slug: string; username: string; kick_user_id: string | null; created_at: Date; archived_at: Date; sessions: number; events: number; last_stream_at: Date | null }[]>`
    select s.slug, s.username, s.kick_user_id, s.created_at, s.archived_at,
           (select count(*)::int from stream_sessions ss where ss.streamer_id = s.id) as sessions,
           (select count(*)::int from status_events e where e.streamer_id = s.id) as events,
           (select max(ss.started_at) from stream_sessions ss where ss.streamer_id = s.id) as last_stream_at
    from streamers s where s.archived_at is not null
    order by s.archived_at desc, s.slug`
  return rows.map((r) => ({
    slug: r.slug, username: r.username, kick_user_id: r.kick_user_id === null ? null : Number(r.kick_user_id),
    monitored_since: r.created_at.toISOString(), archived_at: r.archived_at.toISOString(),
    sessions: r.sessions, events: r.events, last_stream_at: r.last_stream_at?.toISOString() ?? null,
  }))
}

/**
 * Delete an archived streamer and every row of its history, in one transaction: a failure
 * anywhere leaves everything as it was. A monitored streamer is refused (remove it first).
 */
export async function purgeStreamer(sql: Sql, slug: string): Promise<PurgeResult> {
  return sql.begin(async (tx) => {
    // Locked, so a concurrent re-add cannot resume it half-way through.
    const [s] = await tx<{ id: number; archived_at: Date | null }[]>`select id, archived_at from streamers where slug = ${slug} for update`
    if (!s) throw new AppError('NOT_FOUND', `no streamer "${slug}" (monitored or archived)`)
    if (!s.archived_at) throw new AppError('CONFLICT', `"${slug}" is still monitored: remove it first (that archives it), then purge it`)
    const samples = await tx`delete from viewer_samples where streamer_id = ${s.id}`
    const sessions = await tx`delete from stream_sessions where streamer_id = ${s.id}`
    const events = await tx`delete from status_events where streamer_id = ${s.id}`
    await tx`delete from streamers where id = ${s.id}`
    return { purged: slug, streamer_id: s.id, events: events.count, sessions: sessions.count, samples: samples.count }
  })
}
