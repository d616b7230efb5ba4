import type { Sql } from '../../../shared/src/db.ts'
import type { DashboardTimeline } from './dashboard-timeline.ts'
import type { StreamerTruth, TruthStream } from './storm.ts'

// Compares what kick-sim did (the storm's record) with what PostgreSQL recorded and what a
// dashboard showed. Kick's times have one-second resolution, so starts match within 2 s.

const START_TOLERANCE_MS = 2000
/** Event order is judged at Kick's resolution: an end stamped with Kick's whole-second ended_at may come up to 1 s before the moment the start was seen. */
const ORDER_TOLERANCE_MS = 1000

export type Finding = { slug: string; what: string }
export type CheckResult = {
  streams: number
  ended: number
  events: { online: number; offline: number }
  lost: Finding[]
  doubled: Finding[]
  phantom: Finding[]
  outOfOrder: Finding[]
  sessions: { lost: Finding[]; doubled: Finding[]; unclosed: Finding[]; wronglyClosed: Finding[] }
  dashboard: { lost: Finding[]; doubled: Finding[]; phantom: Finding[] }
  stuck: Finding[]
}

type EventRow = { slug: string; id: string; type: 'online' | 'offline'; at: Date; recorded_at: Date; source: string | null; started_at: string | null }
type SessionRow = { slug: string; started_at: Date; ended_at: Date | null }

function streamOf(streams: TruthStream[], startIso: string | null): number {
  if (!startIso) return -1
  const t = Date.parse(startIso)
  return streams.findIndex((s) => Math.abs(s.start - t) <= START_TOLERANCE_MS)
}

export async function check(sql: Sql, truth: Map<string, StreamerTruth>, dash: DashboardTimeline, dashboardSince: number): Promise<CheckResult> {
  const events = await sql<EventRow[]>`
    select s.slug, e.id, e.type, e.at, e.recorded_at, e.status->>'source' as source, coalesce(e.status->>'started_at', e.previous->>'started_at') as started_at
    from status_events e join streamers s on s.id = e.streamer_id
    where e.type in ('online', 'offline') order by e.at, e.recorded_at`
  const sessions = await sql<SessionRow[]>`select s.slug, ss.started_at, ss.ended_at from stream_sessions ss join streamers s on s.id = ss.streamer_id`
  const current = await sql<{ slug: string; live: boolean }[]>`select slug, live from streamers`
  const r: CheckResult = {
    streams: 0, ended: 0, events: { online: 0, offline: 0 },
    lost: [], doubled: [], phantom: [], outOfOrder: [],
    sessions: { lost: [], doubled: [], unclosed: [], wronglyClosed: [] },
    dashboard: { lost: [], doubled: [], phantom: [] },
    stuck: [],
  }
  const bySlug = Map.groupBy(events, (e) => e.slug)
  const sessBySlug = Map.groupBy(sessions, (s) => s.slug)

  for (const [slug, t] of truth) {
    r.streams += t.streams.length
    r.ended += t.streams.filter((s) => s.end !== null).length
    const evs = bySlug.get(slug) ?? []
    const count = new Map<string, number>()
    let lastKey = -1
    let lastAt = 0
    for (const e of evs) {
      r.events[e.type]++
      const i = streamOf(t.streams, e.started_at)
      if (i < 0) {
        r.phantom.push({ slug, what: `${e.type} for a stream kick-sim never ran (start ${e.started_at}, id ${e.id})` })
        continue
      }
      const k = `${i}:${e.type}`
      count.set(k, (count.get(k) ?? 0) + 1)
      // In time order, events must walk the streams forward: online then offline, stream after stream.
      const key = i * 2 + (e.type === 'offline' ? 1 : 0)
      if (key < lastKey && e.at.getTime() - lastAt > ORDER_TOLERANCE_MS)
        r.outOfOrder.push({
          slug,
          what: `${e.type} of stream ${t.streams[i]!.startIso} is timed after a later event: ${evs.map((x) => `${x.type}@${x.at.toISOString()} via ${x.source}, recorded ${x.recorded_at.toISOString()} (start ${x.started_at})`).join(', ')}`,
        })
      if (key > lastKey) lastAt = e.at.getTime()
      lastKey = Math.max(lastKey, key)
    }
    t.streams.forEach((s, i) => {
      const on = count.get(`${i}:online`) ?? 0
      const off = count.get(`${i}:offline`) ?? 0
      if (on === 0) r.lost.push({ slug, what: `online of the stream started ${s.startIso}` })
      if (on > 1) r.doubled.push({ slug, what: `${on} online events for the stream started ${s.startIso}` })
      if (s.end !== null && off === 0) r.lost.push({ slug, what: `offline of the stream started ${s.startIso} (ended ${new Date(s.end).toISOString()})` })
      if (off > 1) r.doubled.push({ slug, what: `${off} offline events for the stream started ${s.startIso}` })
      if (s.end === null && off > 0) r.phantom.push({ slug, what: `offline for the stream started ${s.startIso}, which is still live` })
    })

    // Sessions: one per stream, closed exactly when the stream ended.
    const sess = sessBySlug.get(slug) ?? []
    const per = new Map<number, SessionRow[]>()
    for (const x of sess) {
      const i = streamOf(t.streams, x.started_at.toISOString())
      if (i < 0) continue // a stream before the run's world (none here) or already counted as phantom above
      per.set(i, [...(per.get(i) ?? []), x])
    }
    t.streams.forEach((s, i) => {
      const rows = per.get(i) ?? []
      if (!rows.length) r.sessions.lost.push({ slug, what: `no session for the stream started ${s.startIso}` })
      if (rows.length > 1) r.sessions.doubled.push({ slug, what: `${rows.length} sessions for the stream started ${s.startIso}` })
      const row = rows[0]
      if (row && s.end !== null && !row.ended_at) r.sessions.unclosed.push({ slug, what: `session of ${s.startIso} never closed` })
      if (row && s.end === null && row.ended_at) r.sessions.wronglyClosed.push({ slug, what: `session of ${s.startIso} closed while still live` })
    })

    // The dashboard: each stream shown going live once, nothing shown live that was not.
    const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 23)
    const story = () =>
      ` (shown: ${(dash.transitions.get(slug) ?? []).filter((x) => x.at >= dashboardSince - 60_000).map((x) => `${x.live ? 'live' : 'off'}@${hhmmss(x.at)}`).join(' ')}; ` +
      `kick-sim: ${t.streams.filter((x) => (x.end ?? Infinity) >= dashboardSince - 60_000).map((x) => `${hhmmss(x.start)}–${x.end === null ? 'now' : hhmmss(x.end)}`).join(' ')})`
    const onsets = (dash.transitions.get(slug) ?? []).filter((x) => x.live && x.at >= dashboardSince)
    const shown = new Map<number, number>()
    for (const o of onsets) {
      const i = t.streams.findIndex((s) => o.at >= s.start - START_TOLERANCE_MS && (s.end === null || o.at <= s.end + START_TOLERANCE_MS))
      if (i < 0) r.dashboard.phantom.push({ slug, what: `shown live at ${new Date(o.at).toISOString()} with no stream running${story()}` })
      else shown.set(i, (shown.get(i) ?? 0) + 1)
    }
    t.streams.forEach((s, i) => {
      const relevant = (s.end ?? Infinity) > dashboardSince && s.start > dashboardSince
      if (!relevant) return
      const n = shown.get(i) ?? 0
      if (n === 0) r.dashboard.lost.push({ slug, what: `the stream started ${s.startIso} was never shown live` })
      if (n > 1) r.dashboard.doubled.push({ slug, what: `the stream started ${s.startIso} was shown going live ${n} times${story()}` })
    })

    // After the settle time everything must agree: kick-sim, PostgreSQL, the dashboard.
    const row = dash.rows.get(slug)
    const pg = current.find((c) => c.slug === slug)
    if (!row || row.live !== t.live || row.stale) r.stuck.push({ slug, what: `dashboard shows ${row ? (row.stale ? 'stale ' : '') + (row.live ? 'live' : 'offline') : 'no row'}, kick-sim says ${t.live ? 'live' : 'offline'}` })
    if (pg && pg.live !== t.live)
      r.stuck.push({ slug, what: `PostgreSQL streamers.live = ${pg.live}, kick-sim says ${t.live ? 'live' : 'offline'} since ${new Date(t.lastChange).toISOString()}` })
  }
  return r
}

export function failures(r: CheckResult): number {
  return r.lost.length + r.doubled.length + r.phantom.length + r.outOfOrder.length +
    r.sessions.lost.length + r.sessions.doubled.length + r.sessions.unclosed.length + r.sessions.wronglyClosed.length +
    r.dashboard.lost.length + r.dashboard.doubled.length + r.dashboard.phantom.length + r.stuck.length
}
