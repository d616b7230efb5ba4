import { z } from 'zod'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'

// The dashboard's view state, kept in the URL query (so it survives navigation and can be
// bookmarked): sort, filters and grouping. The server uses it for the first render;
// web/js/app.js applies the same rules to rows as they change (keep the two in step).

export const DashQuery = z.object({
  sort: z.enum(['live', 'viewers', 'name'], { error: 'sort must be live, viewers or name' }).default('live'),
  live: z.enum(['1', '0', ''], { error: 'live must be 1 or 0' }).default('').transform((v) => v === '1'),
  category: z.string().max(100, 'category may have at most 100 characters').default(''),
  q: z.string().max(100, 'q may have at most 100 characters').default(''),
  group: z.enum(['none', 'state', 'category'], { error: 'group must be none, state or category' }).default('none'),
})
export type DashQuery = z.infer<typeof DashQuery>

const name = (s: StreamerStatus) => (s.username || s.slug).toLowerCase()
// A hidden count sorts below every shown one among live streamers.
const viewers = (s: StreamerStatus) => (s.live ? (s.viewers ?? -1) : -2)

export function compare(sort: DashQuery['sort']) {
  return (a: StreamerStatus, b: StreamerStatus) => {
    if (sort === 'name') return name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0
    if (sort === 'live' && a.live !== b.live) return a.live ? -1 : 1
    return viewers(b) - viewers(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0)
  }
}

export function matches(s: StreamerStatus, q: DashQuery): boolean {
  if (q.live && !s.live) return false
  if (q.category && (s.category?.name ?? '') !== q.category) return false
  if (q.q) {
    const needle = q.q.toLowerCase()
    const hay = `${s.slug} ${s.username} ${s.title ?? ''} ${s.category?.name ?? ''}`.toLowerCase()
    if (!hay.includes(needle)) return false
  }
  return true
}

export const STATE_GROUPS = ['live', 'stale', 'offline'] as const
export function groupOf(s: StreamerStatus, group: DashQuery['group']): string {
  if (group === 'state') return s.stale ? 'stale' : s.live ? 'live' : 'offline'
  if (group === 'category') return s.category?.name || '(no category)'
  return ''
}

/** Groups in display order, each with its rows sorted. */
export function arrange(list: StreamerStatus[], q: DashQuery): { group: string; rows: StreamerStatus[] }[] {
  const sorted = [...list].sort(compare(q.sort))
  if (q.group === 'none') return [{ group: '', rows: sorted }]
  const by = new Map<string, StreamerStatus[]>()
  for (const s of sorted) {
    const g = groupOf(s, q.group)
    if (!by.has(g)) by.set(g, [])
    by.get(g)!.push(s)
  }
  const keys = [...by.keys()].sort((a, b) =>
    q.group === 'state' ? STATE_GROUPS.indexOf(a as never) - STATE_GROUPS.indexOf(b as never) : a === '(no category)' ? 1 : b === '(no category)' ? -1 : a.localeCompare(b),
  )
  return keys.map((g) => ({ group: g, rows: by.get(g)! }))
}

export function queryString(q: DashQuery): string {
  const p = new URLSearchParams()
  if (q.sort !== 'live') p.set('sort', q.sort)
  if (q.live) p.set('live', '1')
  if (q.category) p.set('category', q.category)
  if (q.q) p.set('q', q.q)
  if (q.group !== 'none') p.set('group', q.group)
  const s = p.toString()
  return s ? `?${s}` : ''
}
