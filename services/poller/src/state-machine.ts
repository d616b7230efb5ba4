import { statusChanged, type StatusEvent, type StreamerStatus, type EventType } from '@kickmon/shared/contracts'
import type { Reading } from './readings.ts'

export type StreamerState = {
  status: StreamerStatus
  /** When polls first said offline while we still show live (the grace window runs from here). */
  offlineSince: number | null
  /** Last time any source was read successfully for this streamer. */
  lastReadAt: number | null
  /** Start key of the last stream we ended, and when, so a lagging poll cannot revive it. */
  ended: { key: string; at: number } | null
}

export type MachineConfig = { graceMs: number; staleMs: number }
export type Step = { state: StreamerState; events: StatusEvent[]; changed: boolean }

const iso = (ms: number) => new Date(ms).toISOString()

export function initialState(status: StreamerStatus): StreamerState {
  return { status, offlineSince: null, lastReadAt: status.checked_at ? Date.parse(status.checked_at) : null, ended: null }
}

/** Event ids are deterministic where it matters: one `online` and one `offline` per stream start. */
function event(type: EventType, key: string, at: number, status: StreamerStatus, previous: StreamerStatus): StatusEvent {
  return { id: `${status.slug}:${type}:${key}`, type, slug: status.slug, at: iso(at), status, previous }
}

function shortHash(s: string): string {
  return new Bun.CryptoHasher('sha1').update(s).digest('hex').slice(0, 10)
}


const sameStart = (a: string | null, b: string | null) => !!a && !!b && Math.abs(Date.parse(a) - Date.parse(b)) < 5_000

function finish(prev: StreamerState, next: StreamerState, events: StatusEvent[]): Step {
  return { state: next, events, changed: statusChanged(prev.status, next.status) }
}

function goOffline(prev: StreamerState, status: StreamerStatus, at: number): { status: StreamerStatus; event: StatusEvent; ended: StreamerState['ended'] } {
  const key = status.started_at ?? iso(at)
  const next: StreamerStatus = { ...status, live: false, viewers: 0, changed_at: iso(at) }
  return { status: next, event: event('offline', key, at, next, prev.status), ended: { key, at } }
}

/** Merge one reading into a streamer's state, emitting the events it implies. */
export function applyReading(prev: StreamerState, r: Reading, cfg: MachineConfig): Step {
  const events: StatusEvent[] = []
  let status: StreamerStatus = { ...prev.status, checked_at: iso(r.at), source: r.source, stale: false }
  let { offlineSince, ended } = prev
  const lastReadAt = Math.max(prev.lastReadAt ?? 0, r.at)

  if (r.kind === 'live' || r.kind === 'metadata') {
    if (r.username) status.username = r.username
    if (r.profilePicture) status.profile_picture_url = r.profilePicture
  }

  switch (r.kind) {
    case 'live': {
      // A report of the stream we ended started before that end; a new stream starts after it.
      const revived = ended && r.startedAt && Date.parse(r.startedAt) < ended.at && sameStart(ended.key, r.startedAt) && r.at - ended.at < 2 * cfg.graceMs + 60_000
      if (!prev.status.live && revived) break // a lagging report of a stream we already ended
      if (!prev.status.live) {
        const startedAt = r.startedAt ?? iso(r.at)
        status = { ...status, live: true, viewers: r.viewers, title: r.title ?? status.title, category: r.category ?? status.category, started_at: startedAt, changed_at: iso(r.at) }
        events.push(event('online', startedAt, r.at, status, prev.status))
        offlineSince = null
        break
      }
      // Still the same stream: a restart inside the grace window keeps the original start.
      offlineSince = null
      if (r.viewersKnown !== false) status.viewers = r.viewers
      status = changeMetadata(prev, status, r.title, r.category, r.at, events)
      break
    }
    case 'metadata':
      status = changeMetadata(prev, status, r.title ?? null, r.category ?? null, r.at, events)
      break
    case 'offline':
      if (prev.status.live) {
        offlineSince ??= r.at
        if (r.at - offlineSince >= cfg.graceMs) {
          const o = goOffline(prev, status, offlineSince)
          status = o.status
          ended = o.ended
          events.push(o.event)
          offlineSince = null
        }
      } else status.viewers = 0
      break
    case 'ended':
      // Only the stream we show may be ended; a late "ended" for an older stream is ignored.
      if (prev.status.live && (!r.startedAt || !prev.status.started_at || sameStart(r.startedAt, prev.status.started_at))) {
        const o = goOffline(prev, status, r.at)
        status = o.status
        ended = o.ended
        events.push(o.event)
        offlineSince = null
      }
      break
  }
  if (events.length) status.changed_at = events.at(-1)!.at
  else if (statusChanged(prev.status, status)) status.changed_at = iso(r.at)
  return finish(prev, { status, offlineSince, lastReadAt, ended }, events)
}

/** Title/category events only while live: offline channels often report them empty. */
function changeMetadata(
  prev: StreamerState, status: StreamerStatus, title: string | null, category: StreamerStatus['category'], at: number, events: StatusEvent[],
): StreamerStatus {
  let next = status
  if (title && title !== prev.status.title) {
    next = { ...next, title }
    if (prev.status.live) events.push(event('title', `${at}:${shortHash(title)}`, at, next, prev.status))
  }
  if (category && (category.id !== prev.status.category?.id || category.name !== prev.status.category?.name)) {
    next = { ...next, category }
    if (prev.status.live) events.push(event('category', `${at}:${category.id}`, at, next, events.at(-1)?.status ?? prev.status))
  }
  return next
}

/** Time passing: ends grace windows and marks streamers nobody could read as stale. */
export function tick(prev: StreamerState, now: number, cfg: MachineConfig): Step {
  let { status, offlineSince, ended } = prev
  const events: StatusEvent[] = []
  if (prev.status.live && offlineSince !== null && now - offlineSince >= cfg.graceMs) {
    const o = goOffline(prev, status, offlineSince)
    status = o.status
    ended = o.ended
    events.push(o.event)
    offlineSince = null
  }
  const stale = prev.lastReadAt === null || now - prev.lastReadAt > cfg.staleMs
  if (stale !== status.stale) status = { ...status, stale }
  return finish(prev, { status, offlineSince, lastReadAt: prev.lastReadAt, ended }, events)
}
