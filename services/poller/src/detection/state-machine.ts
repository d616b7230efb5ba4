import { statusChanged, type StatusEvent, type StreamerStatus, type EventType } from '@kickmon/shared/contracts/status'
import type { Reading } from './readings.ts'
import { isEndedStream, isOlderStream, isSameStream, sameStart, shownStream, type EndedStream } from './stream-identity.ts'

export type StreamerState = {
  status: StreamerStatus
  /** When polls first said offline while we still show live (the grace window runs from here). */
  offlineSince: number | null
  /** Last time any source was read successfully for this streamer. */
  lastReadAt: number | null
  /** Last time a reading said the shown stream was live: its end cannot be earlier. */
  lastLiveAt: number | null
  /** The last stream we ended (start key, end, Kick's id), so a lagging reading cannot revive it. */
  ended: EndedStream | null
}

export type MachineConfig = { graceMs: number; staleMs: number }
/**
 * `sample`: what this reading adds to the shown stream's viewer history: a count, `hidden` (a
 * hidden count: no sample, and no viewer time across it), or null (nothing: no count, or a lagging reading).
 */
export type Sample = number | 'hidden' | null
export type Step = { state: StreamerState; events: StatusEvent[]; changed: boolean; sample: Sample }

const iso = (ms: number) => new Date(ms).toISOString()

export function initialState(status: StreamerStatus): StreamerState {
  const checked = status.checked_at ? Date.parse(status.checked_at) : null
  return { status, offlineSince: null, lastReadAt: checked, lastLiveAt: status.live ? checked : null, ended: null }
}

/** Event ids are deterministic where it matters: one `online` and one `offline` per stream start. */
function event(type: EventType, key: string, at: number, status: StreamerStatus, previous: StreamerStatus): StatusEvent {
  return { id: `${status.slug}:${type}:${key}`, type, slug: status.slug, at: iso(at), status, previous }
}

function shortHash(s: string): string {
  return new Bun.CryptoHasher('sha1').update(s).digest('hex').slice(0, 10)
}

function finish(prev: StreamerState, next: StreamerState, events: StatusEvent[], sample: Sample = null): Step {
  return { state: next, events, changed: statusChanged(prev.status, next.status), sample }
}

function goOffline(prev: StreamerState, status: StreamerStatus, at: number): { status: StreamerStatus; event: StatusEvent; ended: EndedStream } {
  const key = status.started_at ?? iso(at)
  const next: StreamerStatus = { ...status, live: false, viewers: 0, viewers_hidden: false, changed_at: iso(at) }
  return { status: next, event: event('offline', key, at, next, prev.status), ended: { key, at, streamId: status.stream_id } }
}

/** A live count of 0 is Kick's answer for a hidden count (docs/poller.md, hidden viewer counts): unknown, never a 0 sample. */
function viewersFrom(r: Extract<Reading, { kind: 'live' }>, status: StreamerStatus): Pick<StreamerStatus, 'viewers' | 'viewers_hidden'> {
  if (r.viewersKnown === false) return { viewers: status.viewers, viewers_hidden: status.viewers_hidden }
  return r.viewers === 0 ? { viewers: null, viewers_hidden: true } : { viewers: r.viewers, viewers_hidden: false }
}

/** Merge one reading into a streamer's state, emitting the events it implies. */
export function applyReading(prev: StreamerState, r: Reading, cfg: MachineConfig): Step {
  const events: StatusEvent[] = []
  const lastReadAt = Math.max(prev.lastReadAt ?? 0, r.at)
  // checked_at never goes back: a reading can be older than the last one (a webhook that waited
  // in JetStream while this poller was stopped carries the time Kick sent it), and subscribers
  // order a streamer's statuses by checked_at (the gateway prefers a KV entry only when newer).
  let status: StreamerStatus = { ...prev.status, checked_at: iso(lastReadAt), source: r.source, stale: false }
  let { offlineSince, ended, lastLiveAt } = prev
  let sample: Sample = null

  if (r.kind === 'live' || r.kind === 'metadata') {
    if (r.username) status.username = r.username
    if (r.profilePicture) status.profile_picture_url = r.profilePicture
  }

  switch (r.kind) {
    case 'live': {
      const reported = { id: r.streamId ?? null, startedAt: r.startedAt }
      const shown = prev.status.live ? shownStream(prev.status) : null
      if (shown && isSameStream(shown, reported)) {
        // The stream shown (a flap inside the grace window included): learn its id if we lacked it.
        offlineSince = null
        lastLiveAt = Math.max(lastLiveAt ?? 0, r.at)
        if (!status.stream_id && reported.id) status.stream_id = reported.id
        status = { ...status, ...viewersFrom(r, status) }
        status = changeMetadata(prev, status, r.title, r.category, r.at, events)
        if (r.viewersKnown !== false) sample = status.viewers ?? 'hidden'
        break
      }
      // News from the past: the stream we ended, or one older than the stream shown.
      if (isEndedStream(ended, reported, r.at, cfg.graceMs) || (shown && isOlderStream(shown, reported))) break
      let before = prev.status
      if (shown) {
        // Another stream: the shown one ended by the time this one started (or was first seen gone),
        // but not before a reading last saw it live (Kick's starts are whole seconds, on Kick's clock).
        const newStart = r.startedAt ? Date.parse(r.startedAt) : r.at
        const shownStart = shown.startedAt ? Date.parse(shown.startedAt) : -Infinity
        const endAt = Math.max(shownStart, prev.lastLiveAt ?? -Infinity, Math.min(offlineSince ?? Infinity, newStart))
        const o = goOffline(prev, status, endAt)
        events.push(o.event)
        ended = o.ended
        status = o.status
        before = o.status
      }
      const startedAt = r.startedAt ?? iso(r.at)
      status = {
        ...status, live: true, viewers: 0, viewers_hidden: false, title: r.title ?? status.title, category: r.category ?? status.category,
        started_at: startedAt, stream_id: reported.id, changed_at: iso(r.at),
      }
      status = { ...status, ...viewersFrom(r, status) }
      events.push(event('online', startedAt, r.at, status, before))
      offlineSince = null
      lastLiveAt = r.at
      if (r.viewersKnown !== false) sample = status.viewers ?? 'hidden'
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
      } else status = { ...status, viewers: 0, viewers_hidden: false }
      break
    case 'ended':
      // Only the stream we show may be ended; a late "ended" for an older stream is ignored.
      if (prev.status.live && (!r.startedAt || !prev.status.started_at || sameStart(r.startedAt, prev.status.started_at))) {
        const o = goOffline(prev, status, bestEnd(prev, r))
        status = o.status
        ended = o.ended
        events.push(o.event)
        offlineSince = null
      }
      break
  }
  if (events.length) status.changed_at = events.at(-1)!.at
  else if (statusChanged(prev.status, status)) status.changed_at = iso(r.at)
  if (!status.live) lastLiveAt = null
  return finish(prev, { status, offlineSince, lastReadAt, lastLiveAt, ended }, events, sample)
}

/**
 * Kick's ended_at when it is plausible (after the start, not in the future), else when we heard;
 * never before a reading last saw the stream live.
 */
function bestEnd(prev: StreamerState, r: Extract<Reading, { kind: 'ended' }>): number {
  const said = r.endedAt ? Date.parse(r.endedAt) : NaN
  const start = prev.status.started_at ? Date.parse(prev.status.started_at) : -Infinity
  const end = !Number.isNaN(said) && said >= start && said <= r.at ? said : Math.min(prev.offlineSince ?? r.at, r.at)
  return Math.max(end, Math.min(prev.lastLiveAt ?? -Infinity, r.at))
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

/**
 * Would `tick` change anything now (a grace window over, or staleness to flip)? Asked first, so a
 * pass over every streamer each second allocates nothing for the many it leaves as they are.
 */
export function tickDue(prev: StreamerState, now: number, cfg: MachineConfig): boolean {
  if (prev.status.live && prev.offlineSince !== null && now - prev.offlineSince >= cfg.graceMs) return true
  return (prev.lastReadAt === null || now - prev.lastReadAt > cfg.staleMs) !== prev.status.stale
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
  return finish(prev, { status, offlineSince, lastReadAt: prev.lastReadAt, lastLiveAt: status.live ? prev.lastLiveAt : null, ended }, events)
}
