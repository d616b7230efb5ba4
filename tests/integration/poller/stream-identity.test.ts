import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { unknownStatus, type StatusEvent } from '../../../shared/src/contracts/status.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { recordEvent } from '../../../services/poller/src/recording/event-recorder.ts'
import type { Reading } from '../../../services/poller/src/detection/readings.ts'
import { SnapshotWriter } from '../../../services/poller/src/recording/snapshot-writer.ts'
import { applyReading, initialState, tick, type StreamerState } from '../../../services/poller/src/detection/state-machine.ts'
import { createTestDb, type TestDb } from '../../harness/infra.ts'

// Kick's stream identity on every source (issue 11 item 2, issue 17): the same reality must give
// the same events and the same stream sessions in PostgreSQL whichever source saw what first.
// Readings go through the real state machine; events through the real recorder; viewer samples
// through the real snapshot writer, exactly as the Monitor hands them on.

const cfg = { graceMs: 30_000, staleMs: 60_000 }
const T0 = Date.parse('2026-11-20T20:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()
const s = 1000

// The reality: stream A runs from T0; at TB it ends and stream B starts (Kick's ended_at for A is
// TB: a restart between two polls). Polls every 10 s carry Kick's per-stream ids; webhooks have none.
const TB = T0 + 60 * s
const A = { id: 'a1b2c3d4-0000-4000-8000-00000000000a', start: iso(T0), viewers: 100 }
const B = { id: 'b1b2c3d4-0000-4000-8000-00000000000b', start: iso(TB), viewers: 200 }
type Stream = typeof A
const poll = (at: number, st: Stream): Reading => ({
  kind: 'live', source: 'api', at, viewers: st.viewers, title: 'title', category: { id: 15, name: 'Just Chatting' }, startedAt: st.start, streamId: st.id,
})
const webhookStarted = (at: number, st: Stream): Reading => ({
  kind: 'live', source: 'webhook', at, viewers: 0, viewersKnown: false, title: 'title', category: null, startedAt: st.start,
})
const webhookEnded = (at: number, st: Stream, endedAt: number): Reading => ({ kind: 'ended', source: 'webhook', at, startedAt: st.start, endedAt: iso(endedAt) })
// A poll answered from data taken before the restart: stream A again, with A's viewers marked so any leak shows.
const laggingPoll = (at: number): Reading => ({ ...poll(at, A), viewers: 999 } as Reading)

const ORDERINGS: { name: string; readings: Reading[] }[] = [
  { name: 'poll only', readings: [poll(T0 + 5 * s, A), poll(T0 + 15 * s, A), poll(T0 + 55 * s, A), poll(TB + 5 * s, B), poll(TB + 15 * s, B)] },
  { name: 'webhook only', readings: [webhookStarted(T0 + 500, A), webhookEnded(TB + 500, A, TB), webhookStarted(TB + 600, B)] },
  {
    name: 'webhook then poll',
    readings: [webhookStarted(T0 + 500, A), poll(T0 + 5 * s, A), poll(T0 + 55 * s, A), webhookEnded(TB + 500, A, TB), webhookStarted(TB + 600, B), poll(TB + 5 * s, B), poll(TB + 15 * s, B)],
  },
  {
    name: 'poll then webhook',
    readings: [poll(T0 + 5 * s, A), webhookStarted(T0 + 6 * s, A), poll(T0 + 55 * s, A), poll(TB + 5 * s, B), webhookEnded(TB + 6 * s, A, TB), webhookStarted(TB + 7 * s, B), poll(TB + 15 * s, B)],
  },
  {
    name: 'lagging poll after webhook',
    readings: [webhookStarted(T0 + 500, A), poll(T0 + 5 * s, A), webhookEnded(TB + 500, A, TB), webhookStarted(TB + 600, B), laggingPoll(TB + 2 * s), poll(TB + 5 * s, B), laggingPoll(TB + 8 * s), poll(TB + 15 * s, B)],
  },
]

let db: TestDb
const log = createLogger('test', 'silent')
beforeAll(async () => {
  db = await createTestDb()
  await db.sql`select ensure_viewer_sample_partitions(${iso(T0).slice(0, 10)}::date - 1, 3)`
})
afterAll(() => db.drop())

/** What the Monitor does with a streamer's readings: state machine, events to PostgreSQL, samples. */
async function play(slug: string, readings: Reading[]) {
  await db.sql`insert into streamers (slug, username) values (${slug}, ${slug})`
  const snapshots = new SnapshotWriter(db.sql, log)
  let state: StreamerState = initialState({ ...unknownStatus(slug), kick_user_id: 42 })
  const events: StatusEvent[] = []
  for (const r of readings) {
    const step = applyReading(state, r, cfg)
    state = step.state
    events.push(...step.events)
    if (typeof step.sample === 'number' && state.status.live && state.status.started_at) snapshots.sample(slug, r.at, step.sample, r.source, state.status.started_at)
  }
  state = tick(state, readings.at(-1)!.at + 1000, cfg).state
  for (const e of events) await recordEvent(db.sql, e)
  await snapshots.flush()
  const sessions = await db.sql<{ started_at: Date; ended_at: Date | null; peak_viewers: number }[]>`
    select ss.started_at, ss.ended_at, ss.peak_viewers from stream_sessions ss join streamers st on st.id = ss.streamer_id
    where st.slug = ${slug} order by ss.started_at`
  const samples = await db.sql<{ viewers: number }[]>`
    select v.viewers from viewer_samples v join streamers st on st.id = v.streamer_id where st.slug = ${slug} order by v.at`
  return { state, events, sessions, samples: samples.map((x) => x.viewers) }
}

// An online event's `at` is when a source first saw the stream, so it differs by source; its id,
// its stream start and an offline's end do not.
const shape = (e: StatusEvent, slug: string) => [e.type, e.id.replace(slug, '<slug>'), e.status.started_at, e.type === 'offline' ? e.at : null]

describe('the same restart gives the same history from every source ordering', () => {
  const expectedEvents = [
    ['online', `<slug>:online:${A.start}`, A.start, null],
    ['offline', `<slug>:offline:${A.start}`, A.start, B.start], // ended at the best known end: B's start, Kick's ended_at
    ['online', `<slug>:online:${B.start}`, B.start, null],
  ]
  const expectedSessions = [
    { started_at: A.start, ended_at: B.start },
    { started_at: B.start, ended_at: null },
  ]

  for (const [i, o] of ORDERINGS.entries()) {
    test(o.name, async () => {
      const slug = `order${i}`
      const { state, events, sessions, samples } = await play(slug, o.readings)
      // Stream identity is online/offline; a category first learned from a poll after a webhook is metadata.
      expect(events.filter((e) => e.type === 'online' || e.type === 'offline').map((e) => shape(e, slug))).toEqual(expectedEvents)
      expect(sessions.map((x) => ({ started_at: x.started_at.toISOString(), ended_at: x.ended_at?.toISOString() ?? null }))).toEqual(expectedSessions)
      expect(state.status).toMatchObject({ live: true, started_at: B.start }) // the new start is shown at once
      // A lagging reading of A never reached B's history (nor A's, already ended).
      expect(samples).not.toContain(999)
      expect(sessions.every((x) => x.peak_viewers !== 999)).toBe(true)
      if (o.readings.some((r) => r.source === 'api')) expect(state.status.stream_id).toBe(B.id)
    })
  }
})

describe('Kick\'s stream id tells streams apart where start times cannot', () => {
  // A stream that dies and restarts within seconds: two starts 3 s apart, inside the start-time noise.
  const C = { id: 'c1b2c3d4-0000-4000-8000-00000000000c', start: iso(T0), viewers: 50 }
  const D = { id: 'd1b2c3d4-0000-4000-8000-00000000000d', start: iso(T0 + 3 * s), viewers: 60 }

  test('a restart between two polls with close starts: two streams, two sessions, the second shown at once', async () => {
    const { state, events, sessions } = await play('closeids', [poll(T0 + 1 * s, C), poll(T0 + 11 * s, D), poll(T0 + 21 * s, D)])
    expect(events.map((e) => [e.type, e.status.started_at, e.at])).toEqual([
      ['online', C.start, iso(T0 + 1 * s)],
      ['offline', C.start, D.start],
      ['online', D.start, iso(T0 + 11 * s)],
    ])
    expect(sessions.map((x) => [x.started_at.toISOString(), x.ended_at?.toISOString() ?? null, x.peak_viewers])).toEqual([
      [C.start, D.start, 50],
      [D.start, null, 60],
    ])
    expect(state.status).toMatchObject({ live: true, started_at: D.start, stream_id: D.id, viewers: 60 })
  })

  test('the same readings without ids cannot be told apart by their starts: one stream (why the id matters)', async () => {
    const noId = (r: Reading) => ({ ...r, streamId: null }) as Reading
    const { events, sessions } = await play('closenoids', [poll(T0 + 1 * s, C), poll(T0 + 11 * s, D), poll(T0 + 21 * s, D)].map(noId))
    expect(events.map((e) => e.type)).toEqual(['online'])
    expect(sessions).toHaveLength(1)
  })

  test('a lagging poll of the ended stream, by id, is ignored however close its start', async () => {
    const { state, events, samples } = await play('closelag', [poll(T0 + 1 * s, C), poll(T0 + 11 * s, D), { ...poll(T0 + 12 * s, C), viewers: 999 } as Reading, poll(T0 + 21 * s, D)])
    expect(events.map((e) => e.type)).toEqual(['online', 'offline', 'online'])
    expect(state.status.stream_id).toBe(D.id)
    expect(samples).toEqual([50, 60, 60])
  })
})
