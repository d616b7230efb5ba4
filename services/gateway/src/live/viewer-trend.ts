import type { StreamerStatus } from '@kickmon/shared/contracts/status'

const POINTS = 30
const SPACING_MS = 60_000

/**
 * A short viewer trend per live streamer for the dashboard's sparklines: one point a minute
 * for the last half hour of the current stream, from the statuses the gateway sees (so it
 * starts empty after a gateway restart; the streamer page has the full history).
 */
export class ViewerTrend {
  private bySlug = new Map<string, { t: number; v: number }[]>()

  record(s: StreamerStatus | null, slug: string) {
    if (!s || !s.live || s.stale || s.viewers === null) {
      if (!s || !s.live) this.bySlug.delete(slug)
      return
    }
    const t = s.checked_at ? Date.parse(s.checked_at) : Date.now()
    let pts = this.bySlug.get(slug)
    if (!pts) this.bySlug.set(slug, (pts = []))
    const last = pts.at(-1)
    if (last && t - last.t < SPACING_MS) last.v = s.viewers
    else {
      pts.push({ t, v: s.viewers })
      if (pts.length > POINTS) pts.shift()
    }
  }

  points(slug: string): number[] {
    return this.bySlug.get(slug)?.map((p) => p.v) ?? []
  }

  /** Relative change from the oldest kept point to now, when there is a trend to speak of. */
  change(slug: string): { pct: number; minutes: number } | null {
    const pts = this.bySlug.get(slug)
    if (!pts || pts.length < 2) return null
    const first = pts[0]!, last = pts.at(-1)!
    if (first.v === 0) return null
    return { pct: ((last.v - first.v) / first.v) * 100, minutes: Math.max(1, Math.round((last.t - first.t) / 60_000)) }
  }
}
