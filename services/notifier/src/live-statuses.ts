import type { NatsConnection } from '@nats-io/transport-node'
import { StreamerStatus } from '@kickmon/shared/contracts/status'
import { subjects } from '@kickmon/shared/contracts/names'

// The latest status of every streamer from `kick.status.>` (the poller's change feed), and
// per live stream what this notifier saw of its viewers: the live message's numbers and the
// summary's stand-in when the poller cannot be asked.

type Track = { startedAt: string; peak: number; peakAt: string; area: number; lastAt: number; lastViewers: number; counted: number }

export class LiveStatuses {
  private latest = new Map<string, StreamerStatus>()
  private tracks = new Map<string, Track>()
  private listeners: ((s: StreamerStatus) => void)[] = []

  constructor(private readonly nc: NatsConnection) {}

  start() {
    const sub = this.nc.subscribe(subjects.statusAll, {
      callback: (err, msg) => {
        if (err) return
        let s: StreamerStatus
        try {
          s = StreamerStatus.parse(msg.json())
        } catch {
          return
        }
        this.update(s)
      },
    })
    return () => sub.unsubscribe()
  }

  update(s: StreamerStatus) {
    this.latest.set(s.slug, s)
    // Kept after the end: the summary is written after the offline status arrives.
    if (s.live && s.started_at) this.track(s)
    for (const l of this.listeners) l(s)
  }

  onStatus(l: (s: StreamerStatus) => void) {
    this.listeners.push(l)
  }

  get(slug: string) {
    return this.latest.get(slug) ?? null
  }

  private track(s: StreamerStatus) {
    const now = Date.now()
    // A hidden count (null) adds nothing: peak and average count only what was shown.
    if (s.viewers === null) {
      const t = this.tracks.get(s.slug)
      if (t) t.lastAt = now
      return
    }
    const viewers = s.viewers
    let t = this.tracks.get(s.slug)
    if (!t || t.startedAt !== s.started_at) {
      t = { startedAt: s.started_at!, peak: viewers, peakAt: new Date(now).toISOString(), area: 0, lastAt: now, lastViewers: viewers, counted: 0 }
      this.tracks.set(s.slug, t)
      return
    }
    t.area += t.lastViewers * (now - t.lastAt)
    t.counted += now - t.lastAt
    t.lastAt = now
    t.lastViewers = viewers
    if (viewers > t.peak) {
      t.peak = viewers
      t.peakAt = new Date(now).toISOString()
    }
  }

  /** Peak, when, and the time-weighted average of what was seen of this stream. */
  tracked(slug: string, startedAt: string): { peak: number; peakAt: string; avg: number } | null {
    const t = this.tracks.get(slug)
    if (!t || Date.parse(t.startedAt) !== Date.parse(startedAt)) return null
    return { peak: t.peak, peakAt: t.peakAt, avg: Math.round(t.counted > 0 ? t.area / t.counted : t.lastViewers) }
  }
}
