import type { StatusEvent, StreamerStatus } from '@kickmon/shared/contracts/status'

// What one message is about, as templates and providers see it (docs/notifications.md lists
// these variables). Built from a StatusEvent, the latest status and, at the end, the summary.

export type NoticeKind = 'online' | 'offline' | 'title' | 'category' | 'test'

export type Summary = {
  duration_s: number
  duration: string
  peak_viewers: number | null
  peak_at: string | null
  avg_viewers: number | null
}

export type Notice = {
  event: { type: NoticeKind; at: string; id: string }
  streamer: { slug: string; username: string; url: string; profile_picture_url: string | null }
  /** viewers: null while the streamer hides the count. */
  stream: { started_at: string | null; title: string | null; category: string | null; viewers: number | null; live: boolean }
  previous: { title: string | null; category: string | null } | null
  summary: Summary | null
}

/** "2 h 05 min", "12 min", "40 s". */
export function humanDuration(s: number): string {
  const total = Math.max(0, Math.round(s))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  if (h) return `${h} h ${String(m).padStart(2, '0')} min`
  if (m) return `${m} min`
  return `${total} s`
}

export function streamerUrl(webUrl: string, slug: string) {
  return `${webUrl.replace(/\/+$/, '')}/${slug}`
}

/**
 * The stream an event belongs to, keyed exactly as the poller keys streams (its event ids):
 * by the start shown for the stream. Not by Kick's stream id: a stream first announced by a
 * webhook has none until the next poll, so its later events would look like another stream.
 * An offline names the stream that ended (its `previous`).
 */
export function streamKeyOf(e: Pick<StatusEvent, 'type' | 'status' | 'previous'>): string {
  const s = e.type === 'offline' ? (e.previous ?? e.status) : e.status
  return s.started_at ? new Date(s.started_at).toISOString() : `unknown:${e.type === 'offline' ? 'ended' : 'live'}`
}

export function noticeOf(e: StatusEvent, webUrl: string, latest: StreamerStatus | null, summary: Summary | null): Notice {
  // The freshest reading of the same stream has better numbers than the event (a webhook
  // online carries 0 viewers until the next poll).
  const base = e.type === 'offline' ? (e.previous ?? e.status) : e.status
  const s = latest && latest.live && e.type !== 'offline' && latest.started_at === base.started_at ? latest : base
  return {
    event: { type: e.type, at: e.at, id: e.id },
    streamer: { slug: e.slug, username: s.username, url: streamerUrl(webUrl, e.slug), profile_picture_url: s.profile_picture_url },
    stream: { started_at: s.started_at, title: s.title, category: s.category?.name ?? null, viewers: s.viewers, live: e.type !== 'offline' },
    previous: e.previous ? { title: e.previous.title, category: e.previous.category?.name ?? null } : null,
    summary,
  }
}

/** The sample the preview endpoint and the test action render. */
export function sampleNotice(kind: NoticeKind, webUrl: string): Notice {
  const started = new Date(Date.now() - 2 * 3600_000 - 5 * 60_000)
  return {
    event: { type: kind, at: new Date().toISOString(), id: `sample:${kind}` },
    streamer: { slug: 'sample-streamer', username: 'SampleStreamer', url: streamerUrl(webUrl, 'sample-streamer'), profile_picture_url: null },
    stream: { started_at: started.toISOString(), title: 'Speedrunning with chat', category: 'Just Chatting', viewers: 1234, live: kind !== 'offline' },
    previous: { title: 'Warming up', category: 'Slots' },
    summary: kind === 'offline' ? { duration_s: 7500, duration: humanDuration(7500), peak_viewers: 2480, peak_at: new Date(started.getTime() + 3600_000).toISOString(), avg_viewers: 1530 } : null,
  }
}

/** A short headline (ntfy title, email subject, Discord embed title). */
export function headline(n: Notice): string {
  switch (n.event.type) {
    case 'online': return `${n.streamer.username} is live on Kick`
    case 'offline': return `${n.streamer.username}'s stream ended`
    case 'title': return `${n.streamer.username} changed the title`
    case 'category': return `${n.streamer.username} switched to ${n.stream.category ?? 'no category'}`
    case 'test': return 'Test notification from Kick Streamer Monitor'
  }
}
