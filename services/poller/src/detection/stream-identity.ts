import type { StreamerStatus } from '@kickmon/shared/contracts/status'

// Which stream a reading is about. Kick's per-stream id decides wherever both sides have one
// (users/livestreams items); otherwise the start time does, within the few seconds by which
// sources disagree about the same start.

/** Sources report the same start up to a second or two apart. */
export const START_NOISE_MS = 5_000

export type StreamRef = { id: string | null; startedAt: string | null }

/** The last stream this machine ended: a lagging reading of it must not bring it back. */
export type EndedStream = { key: string; at: number; streamId: string | null }

export const shownStream = (s: StreamerStatus): StreamRef => ({ id: s.stream_id, startedAt: s.started_at })

export function sameStart(a: string | null, b: string | null): boolean {
  return !!a && !!b && Math.abs(Date.parse(a) - Date.parse(b)) < START_NOISE_MS
}

/** A reading without a start (or a stream shown without one) cannot tell streams apart: same. */
export function isSameStream(shown: StreamRef, r: StreamRef): boolean {
  if (shown.id && r.id) return shown.id === r.id
  if (!shown.startedAt || !r.startedAt) return true
  return sameStart(shown.startedAt, r.startedAt)
}

/** A report of a stream that started clearly before the one shown: news from the past. */
export function isOlderStream(shown: StreamRef, r: StreamRef): boolean {
  return !!shown.startedAt && !!r.startedAt && Date.parse(r.startedAt) <= Date.parse(shown.startedAt) - START_NOISE_MS
}

/**
 * A report of the stream we ended. By id that is certain; by start it is a start within the
 * noise of the ended one that began before the recorded end, read not long after it.
 */
export function isEndedStream(ended: EndedStream | null, r: StreamRef, at: number, graceMs: number): boolean {
  if (!ended) return false
  if (ended.streamId && r.id) return ended.streamId === r.id
  return !!r.startedAt && Date.parse(r.startedAt) < ended.at && sameStart(ended.key, r.startedAt) && at - ended.at < 2 * graceMs + 60_000
}
