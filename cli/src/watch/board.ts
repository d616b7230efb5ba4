import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { changes, type Change } from '../describe.ts'

export type Row = {
  status: StreamerStatus
  /** When (local ms) each kind of change last happened: drives highlighting. */
  changedAt: Partial<Record<Change, number>>
  /** Viewers difference at the last viewers change (for ▲/▼). */
  delta: number
}

export type Applied = { prev: StreamerStatus | undefined; next: StreamerStatus; what: Change[] }

const time = (iso: string | null) => (iso ? Date.parse(iso) : 0)

/** The streamers `watch` shows, merged from the KV snapshot and `kick.status.>` (newest reading wins). */
export class Board {
  private rows = new Map<string, Row>()

  /** Returns what changed, or null when the reading is older or changes nothing visible. */
  apply(next: StreamerStatus, now = Date.now(), highlight = true): Applied | null {
    const row = this.rows.get(next.slug)
    const prev = row?.status
    if (prev && time(next.checked_at) < time(prev.checked_at)) return null
    const what = changes(prev, next)
    const r: Row = row ?? { status: next, changedAt: {}, delta: 0 }
    r.status = next
    this.rows.set(next.slug, r)
    if (!what.length) return null
    if (highlight) for (const c of what) r.changedAt[c] = now
    if (prev && what.includes('viewers')) r.delta = (next.viewers ?? 0) - (prev.viewers ?? 0)
    return { prev, next, what }
  }

  remove(slug: string): StreamerStatus | null {
    const r = this.rows.get(slug)
    this.rows.delete(slug)
    return r?.status ?? null
  }

  slugs(): string[] {
    return [...this.rows.keys()]
  }

  get size() {
    return this.rows.size
  }

  /** Live first (most viewers first), then the rest by name. */
  sorted(): Row[] {
    return [...this.rows.values()].sort(
      (a, b) => Number(b.status.live) - Number(a.status.live) || (a.status.live ? (b.status.viewers ?? -1) - (a.status.viewers ?? -1) : 0) || a.status.slug.localeCompare(b.status.slug),
    )
  }

  counts() {
    let live = 0
    let stale = 0
    for (const r of this.rows.values()) {
      if (r.status.live) live++
      if (r.status.stale) stale++
    }
    return { total: this.rows.size, live, stale }
  }
}
