import { nowMs } from './stats.ts'
import type { Change } from './ws-fleet.ts'

/**
 * The approach most existing monitors take, for comparison: one request per streamer to
 * the website endpoint `/api/v2/channels/<slug>` every interval (spread evenly), live when
 * `livestream` is not null. No grace window, no batching, no webhooks.
 */
export class NaivePoller {
  private running = false
  private timers = new Set<Timer>()
  private live = new Map<string, boolean>()
  private flips = new Map<string, { live: boolean; at: number }[]>()
  requests = 0
  errors = 0

  constructor(
    private readonly webUrl: string,
    private readonly slugs: string[],
    private readonly intervalMs: number,
  ) {}

  start() {
    this.running = true
    const gap = this.intervalMs / this.slugs.length
    this.slugs.forEach((slug, i) => this.schedule(slug, i * gap))
  }

  private schedule(slug: string, inMs: number) {
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (!this.running) return
      this.schedule(slug, this.intervalMs)
      void this.check(slug)
    }, inMs)
    this.timers.add(t)
  }

  private async check(slug: string) {
    this.requests++
    try {
      const res = await fetch(`${this.webUrl}/api/v2/channels/${slug}`, { signal: AbortSignal.timeout(10_000) })
      const body = (await res.json()) as { livestream?: unknown }
      if (!res.ok) throw new Error(String(res.status))
      const live = body.livestream != null
      const at = nowMs()
      if (this.live.get(slug) !== live) {
        if (this.live.has(slug)) this.flips.set(slug, [...(this.flips.get(slug) ?? []), { live, at }])
        this.live.set(slug, live)
      }
    } catch {
      this.errors++
    }
  }

  /** When this poller first noticed each change (null when it never did). */
  arrivals(changes: Change[]): Map<number, number | null> {
    const out = new Map<number, number | null>()
    for (const c of changes) out.set(c.id, this.flips.get(c.slug)?.find((f) => f.live === c.live && f.at >= c.t0)?.at ?? null)
    return out
  }

  stop() {
    this.running = false
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }
}
