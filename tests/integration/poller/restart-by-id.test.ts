import { afterAll, beforeAll, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { eventually } from '../../harness/services.ts'
import { watchedPoller, type WatchedPoller } from './poller-kit.ts'

// End to end through kick-sim's /public/v1/users/livestreams: a stream that dies and restarts
// between two polls, its new start only 2 s after the old one (inside the 5 s a start may differ
// by between sources), is a new stream because Kick gives it a new id.
let { env, poller, seen, stop } = {} as WatchedPoller
/** Kick's API gives starts to the second. */
const sec = (iso: string | null) => new Date(Math.floor(Date.parse(iso!) / 1000) * 1000).toISOString()

beforeAll(async () => void ({ env, poller, seen, stop } = await watchedPoller()))
afterAll(() => stop?.())

test('a restart between two polls with starts 2 s apart: two streams, two sessions, the new start shown at once', async () => {
  const slug = env.sim.world.list()[0]!.slug
  env.sim.world.update(slug, { live: false })
  await request(poller.client, PollerApi.add.subject, { slug }, PollerApi.add.output, { timeout: 10_000 })
  env.sim.world.update(slug, { live: true, viewers: 300 })
  const a = env.sim.world.get(slug)!
  await eventually(() => seen.findLast((s) => s.slug === slug)?.stream_id === a.stream_id || null, 10_000, 'stream A shown with its id')

  // The restart, straight in kick-sim's world (no webhook): same channel, a new stream 2 s after A's start.
  const ch = env.sim.world.bySlug(slug)!
  const aStart = ch.stream!.startedAt
  env.sim.world.endStream(ch, aStart + 2000)
  env.sim.world.beginStream(ch, aStart + 2000)
  const b = env.sim.world.get(slug)!
  expect(b.stream_id).not.toBe(a.stream_id)

  const shown = await eventually(() => {
    const s = seen.findLast((x) => x.slug === slug)
    return s?.stream_id === b.stream_id ? s : null
  }, 10_000, 'stream B shown')
  expect(shown).toMatchObject({ live: true, started_at: sec(b.started_at) })
  expect(Date.parse(sec(b.started_at)) - Date.parse(sec(a.started_at))).toBeLessThan(5000) // starts alone would call it the same stream
  const events = await eventually(async () => {
    const r = await env.db.sql<{ type: string; at: Date; started_at: string }[]>`
      select e.type, e.at, coalesce(e.status->>'started_at', '') as started_at from status_events e join streamers s on s.id = e.streamer_id
      where s.slug = ${slug} and e.type in ('online', 'offline') order by e.at, e.recorded_at`
    return r.length >= 3 ? r : null
  }, 10_000, 'three events recorded')
  expect(events.map((e) => [e.type, e.started_at])).toEqual([['online', sec(a.started_at)], ['offline', sec(a.started_at)], ['online', sec(b.started_at)]])
  // A ended when B started, or, on a box slow enough that a poll still saw A live after that
  // moment, when A was last seen live: never before.
  const endedAt = events[1]!.at.getTime()
  expect(endedAt).toBeGreaterThanOrEqual(Date.parse(sec(b.started_at)))
  expect(endedAt).toBeLessThanOrEqual(events[2]!.at.getTime())
  const sessions = await env.db.sql<{ started_at: Date; ended_at: Date | null }[]>`
    select ss.started_at, ss.ended_at from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = ${slug} order by ss.started_at`
  expect(sessions.map((x) => [x.started_at.toISOString(), x.ended_at?.toISOString() ?? null])).toEqual([
    [sec(a.started_at), events[1]!.at.toISOString()],
    [sec(b.started_at), null],
  ])
})
