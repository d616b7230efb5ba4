import { AppError } from '@kickmon/shared/errors'
import type { Sql } from '@kickmon/shared/db'
import type { PollerApi, ViewerHistory } from '@kickmon/shared/contracts/poller'
import type { z } from 'zod'
import { streamerIdOf } from './streamer.ts'

/** Chosen steps give at most this many points. */
export const AUTO_POINTS = 500
/** An explicit step may ask for more, up to this. */
export const MAX_POINTS = 10_000
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400]

/** The smallest round step that keeps `spanS` within AUTO_POINTS buckets. */
export function chooseStep(spanS: number): number {
  const min = spanS / AUTO_POINTS
  return STEPS.find((s) => s >= min) ?? Math.ceil(min / 86_400) * 86_400
}

/**
 * Viewer samples in [from, to), averaged (and min/max) per bucket of `step_s` seconds in
 * SQL. Buckets are aligned to the epoch, so a moving window keeps the same buckets; a
 * bucket's `at` is its start and may precede `from`. Buckets without samples are absent.
 */
export async function viewerHistory(sql: Sql, q: z.infer<typeof PollerApi.viewers.input>): Promise<ViewerHistory> {
  const from = Date.parse(q.from)
  const to = Date.parse(q.to)
  if (!(from < to)) throw new AppError('VALIDATION', 'from must be earlier than to')
  const spanS = (to - from) / 1000
  const step = q.step_s ?? chooseStep(spanS)
  if (spanS / step > MAX_POINTS) throw new AppError('VALIDATION', `step_s ${step} gives more than ${MAX_POINTS} points for this range; use step_s ≥ ${Math.ceil(spanS / MAX_POINTS)}`)
  const id = await streamerIdOf(sql, q.slug)
  const rows = await sql<{ at: Date; avg: number; min: number; max: number }[]>`
    select to_timestamp(floor(extract(epoch from at) / ${step}::int) * ${step}::int) as at,
           avg(viewers)::float8 as avg, min(viewers) as min, max(viewers) as max
    from viewer_samples
    where streamer_id = ${id} and at >= ${new Date(from)} and at < ${new Date(to)}
    group by 1 order by 1`
  return {
    slug: q.slug, from: new Date(from).toISOString(), to: new Date(to).toISOString(), step_s: step,
    points: rows.map((r) => ({ at: r.at.toISOString(), avg: Math.round(r.avg * 100) / 100, min: r.min, max: r.max })),
  }
}
