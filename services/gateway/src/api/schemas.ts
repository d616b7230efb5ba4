import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'

// Query and path pieces several routes share. Query strings are text: numbers are coerced.
export const Iso = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-07-01T12:00:00Z' })
export const Limit = (max: number, d: number) => z.coerce.number().int().min(1).max(max).default(d)
export const SlugParams = z.object({ slug: z.string() })
export const IdParams = z.object({ id: z.coerce.number({ error: 'must be a number' }).int().positive().max(2_147_483_647) })

export const MAX_SPAN_S = 400 * 86_400
export const ViewersQuery = z.object({
  from: Iso.optional(),
  to: Iso.optional(),
  step: z.coerce.number().int().min(1).max(86_400).optional(),
})

/** Fills in the defaults (the last 24 h up to now) and refuses impossible ranges. */
export function resolveViewerRange(q: z.infer<typeof ViewersQuery>): { from: string; to: string; step_s?: number } {
  const to = q.to ? Date.parse(q.to) : Date.now()
  const from = q.from ? Date.parse(q.from) : to - 86_400_000
  if (!(from < to)) throw new AppError('VALIDATION', 'from must be earlier than to')
  if ((to - from) / 1000 > MAX_SPAN_S) throw new AppError('VALIDATION', 'a range may span at most 400 days')
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...(q.step ? { step_s: q.step } : {}) }
}
