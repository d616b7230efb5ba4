import { afterAll, beforeAll, expect, test } from 'bun:test'
import { check, failures } from '../../bench/lib/chaos/checker.ts'
import { DashboardTimeline } from '../../bench/lib/chaos/dashboard-timeline.ts'
import type { StreamerTruth } from '../../bench/lib/chaos/storm.ts'
import { createTestDb, type TestDb } from '../harness/infra.ts'

// The fault suite's checker must see what it is there to see: a stream recorded without its
// end, a stream recorded twice, a stream nobody ran, a dashboard that flickered. A clean
// streamer next to them must produce nothing.
let db: TestDb
beforeAll(async () => {
  db = await createTestDb()
})
afterAll(async () => {
  await db?.drop()
})

const T0 = Date.parse('2026-01-01T12:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()
const at = (s: number) => T0 + s * 1000

async function event(slug: string, type: 'online' | 'offline', start: number, when: number, idKey = iso(start)) {
  const status = { slug, started_at: iso(start), live: type === 'online' }
  await db.sql`insert into status_events (id, streamer_id, type, at, status)
    select ${`${slug}:${type}:${idKey}`}, id, ${type}, ${iso(when)}, ${db.sql.json(status)} from streamers where slug = ${slug}`
}
async function session(slug: string, start: number, end: number | null) {
  await db.sql`insert into stream_sessions (streamer_id, started_at, ended_at) select id, ${iso(start)}, ${end === null ? null : iso(end)} from streamers where slug = ${slug}`
}

test('lost, doubled and phantom events, broken sessions and a flickering dashboard are all reported; a clean streamer is not', async () => {
  const slugs = ['alpha', 'beta', 'gamma', 'delta']
  await db.sql`insert into streamers ${db.sql(slugs.map((slug) => ({ slug, username: slug })))}`
  await db.sql`update streamers set live = slug in ('alpha', 'gamma')`
  const truth = new Map<string, StreamerTruth>([
    ['alpha', { live: true, lastChange: at(120), streams: [{ startIso: iso(at(0)), start: at(0), end: at(60) }, { startIso: iso(at(120)), start: at(120), end: null }] }],
    ['beta', { live: false, lastChange: at(60), streams: [{ startIso: iso(at(0)), start: at(0), end: at(60) }] }],
    ['gamma', { live: true, lastChange: at(0), streams: [{ startIso: iso(at(0)), start: at(0), end: null }] }],
    ['delta', { live: false, lastChange: 0, streams: [] }],
  ])
  // alpha: everything right. beta: the end never recorded. gamma: recorded twice (start a second
  // apart, so two ids). delta: a stream kick-sim never ran.
  await event('alpha', 'online', at(0), at(1))
  await event('alpha', 'offline', at(0), at(61))
  await event('alpha', 'online', at(120), at(121))
  await session('alpha', at(0), at(61))
  await session('alpha', at(120), null)
  await event('beta', 'online', at(0), at(1))
  await session('beta', at(0), null)
  await event('gamma', 'online', at(0), at(1))
  await event('gamma', 'online', at(0), at(3), iso(at(1)))
  await session('gamma', at(0), null)
  await event('delta', 'online', at(30), at(31))

  const dash = new DashboardTimeline('ws://127.0.0.1:9/ws', () => '')
  const show = (slug: string, live: boolean, ...times: number[]) => {
    dash.rows.set(slug, { live, viewers: 0, stale: false })
    dash.transitions.set(slug, times.map((t, i) => ({ at: at(t), live: i % 2 === 0 })))
  }
  show('alpha', true, 1, 61, 121) // live, off, live: right
  show('beta', false, 1, 61)
  show('gamma', true, 1, 20, 25) // live, off, live again during one stream: a flicker
  show('delta', false)

  const r = await check(db.sql, truth, dash, at(-10))
  const slugsOf = (list: { slug: string }[]) => [...new Set(list.map((f) => f.slug))].sort()
  expect(slugsOf(r.lost)).toEqual(['beta'])
  expect(r.lost[0]!.what).toStartWith('offline of the stream')
  expect(slugsOf(r.doubled)).toEqual(['gamma'])
  expect(slugsOf(r.phantom)).toEqual(['delta'])
  expect(slugsOf(r.sessions.unclosed)).toEqual(['beta'])
  expect(slugsOf(r.dashboard.doubled)).toEqual(['gamma'])
  expect(r.stuck).toEqual([])
  const all = [...r.lost, ...r.doubled, ...r.phantom, ...r.outOfOrder, ...Object.values(r.sessions).flat(), ...Object.values(r.dashboard).flat(), ...r.stuck]
  expect(all.some((f) => f.slug === 'alpha')).toBe(false)
  expect(failures(r)).toBe(all.length)
})
