import type { NatsConnection } from '@nats-io/transport-node'
import type { StatusEvent } from '@kickmon/shared/contracts/status'
import { PollerApi } from '@kickmon/shared/contracts/poller'
import { request } from '@kickmon/shared/rpc'
import { humanDuration, type Summary } from './notice.ts'
import type { LiveStatuses } from './live-statuses.ts'

// The end-of-stream summary: duration, peak viewers and when, time-weighted average. The
// poller's session record is the truth; while it cannot answer, what this notifier saw of the
// stream (its status feed) stands in, and failing that, the duration alone.

export async function summaryOf(nc: NatsConnection, e: StatusEvent, live: LiveStatuses): Promise<Summary> {
  const started = e.previous?.started_at ?? e.status.started_at
  const durationS = started ? Math.max(0, (Date.parse(e.at) - Date.parse(started)) / 1000) : 0
  const base = { duration_s: Math.round(durationS), duration: humanDuration(durationS) }
  if (started) {
    try {
      const sessions = await request(nc, PollerApi.sessions.subject, { slug: e.slug, limit: 5 }, PollerApi.sessions.output, { timeout: 2000 })
      const s = sessions.find((x) => Date.parse(x.started_at) === Date.parse(started))
      if (s && s.peak_viewers > 0) return { ...base, peak_viewers: s.peak_viewers, peak_at: s.peak_at, avg_viewers: Math.round(s.avg_viewers) }
    } catch {
      // The poller is away: fall back to what we saw.
    }
    const seen = live.tracked(e.slug, started)
    if (seen) return { ...base, peak_viewers: seen.peak, peak_at: seen.peakAt, avg_viewers: seen.avg }
  }
  return { ...base, peak_viewers: null, peak_at: null, avg_viewers: null }
}
