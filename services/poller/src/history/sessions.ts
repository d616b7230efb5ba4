import type { Sql } from '@kickmon/shared/db'
import type { PollerApi, StreamSession } from '@kickmon/shared/contracts/poller'
import type { z } from 'zod'
import { streamerIdOf } from './streamer.ts'

type Row = {
  started_at: Date; ended_at: Date | null; title: string | null; category_name: string | null
  peak_viewers: number; peak_at: Date | null; viewer_seconds: number; counted_seconds: number; duration_s: number
}

/**
 * A streamer's streams, newest first (`before` pages by start time). A stream still live
 * runs until now, or until the streamer was archived (nobody watched it after that). viewer_seconds is the integral of viewers over the samples (kept by the
 * snapshot writer), so the time-weighted average is viewer_seconds over the time the count was
 * shown (average() below) and hours watched is viewer_seconds / 3600; nothing is extrapolated
 * past the last sample, nor across a stretch where the streamer hid the count.
 */
export async function sessionHistory(sql: Sql, q: z.infer<typeof PollerApi.sessions.input>): Promise<StreamSession[]> {
  const id = await streamerIdOf(sql, q.slug)
  const rows = await sql<Row[]>`
    select started_at, ended_at, title, category_name, peak_viewers, peak_at, viewer_seconds, counted_seconds,
           greatest(0, floor(extract(epoch from coalesce(ended_at, (select archived_at from streamers where id = ${id}), now()) - started_at)))::int as duration_s
    from stream_sessions
    where streamer_id = ${id} ${q.before ? sql`and started_at < ${q.before}` : sql``}
    order by started_at desc
    limit ${q.limit}`
  return rows.map((r) => ({
    started_at: r.started_at.toISOString(),
    ended_at: r.ended_at?.toISOString() ?? null,
    duration_s: r.duration_s,
    peak_viewers: r.peak_viewers,
    peak_at: r.peak_at?.toISOString() ?? null,
    avg_viewers: Math.round(average(r) * 100) / 100,
    hours_watched: Math.round((r.viewer_seconds / 3600) * 1000) / 1000,
    title: r.title,
    category: r.category_name,
  }))
}

/**
 * Time-weighted average over the time the count was shown (counted_seconds: hidden stretches
 * are neither zero viewers nor time). Sessions from before counted_seconds average over their duration.
 */
function average(r: Row): number {
  if (r.counted_seconds > 0) return r.viewer_seconds / r.counted_seconds
  return r.duration_s > 0 ? r.viewer_seconds / r.duration_s : 0
}
