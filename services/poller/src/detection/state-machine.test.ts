import { describe, expect, test } from 'bun:test'
import { unknownStatus } from '@kickmon/shared/contracts/status'
import { applyReading, initialState, tick, type StreamerState } from './state-machine.ts'
import type { Reading } from './readings.ts'

const cfg = { graceMs: 30_000, staleMs: 30_000 }
const T0 = Date.parse('2026-06-20T21:00:00Z')
const start = '2026-06-20T20:59:00.000Z'
const live = (at: number, over: Partial<Extract<Reading, { kind: 'live' }>> = {}): Reading => ({
  kind: 'live', source: 'api', at, viewers: 100, title: 'hello', category: { id: 15, name: 'Just Chatting' }, startedAt: start, ...over,
})
const off = (at: number): Reading => ({ kind: 'offline', source: 'api', at })

function run(readings: (Reading | number)[], state: StreamerState = initialState(unknownStatus('abc'))) {
  const events = []
  for (const r of readings) {
    const step = typeof r === 'number' ? tick(state, r, cfg) : applyReading(state, r, cfg)
    state = step.state
    events.push(...step.events)
  }
  return { state, events }
}

describe('state machine', () => {
  test('going live emits one online event keyed by the stream start, however many sources report it', () => {
    const { state, events } = run([live(T0), { ...live(T0 + 100), source: 'webhook' }, live(T0 + 10_000, { viewers: 150 })])
    expect(events.map((e) => e.type)).toEqual(['online'])
    expect(events[0]!.id).toBe(`abc:online:${start}`)
    expect(state.status).toMatchObject({ live: true, viewers: 150, started_at: start, stale: false })
  })

  test('offline only after the grace window; the same stream back inside it is a flap, a new start is a new stream', () => {
    const a = run([live(T0), off(T0 + 10_000), off(T0 + 20_000), live(T0 + 25_000, { startedAt: '2026-06-20T20:59:01.000Z' })])
    expect(a.events.map((e) => e.type)).toEqual(['online'])
    expect(a.state.status.live).toBe(true)
    expect(a.state.status.started_at).toBe(start) // the same start (a second of source noise): a flap
    const restart = run([live(T0), off(T0 + 10_000), off(T0 + 20_000), live(T0 + 25_000, { startedAt: '2026-06-20T21:00:24.000Z' })])
    expect(restart.events.map((e) => [e.type, e.at])).toEqual([
      ['online', new Date(T0).toISOString()],
      ['offline', new Date(T0 + 10_000).toISOString()], // first seen gone, before the new start
      ['online', new Date(T0 + 25_000).toISOString()],
    ])
    expect(restart.state.status.started_at).toBe('2026-06-20T21:00:24.000Z')
    const b = run([live(T0), off(T0 + 10_000), off(T0 + 40_000)])
    expect(b.events.map((e) => e.type)).toEqual(['online', 'offline'])
    expect(b.events[1]!.id).toBe(`abc:offline:${start}`)
    expect(b.events[1]!.at).toBe(new Date(T0 + 10_000).toISOString()) // when it was first seen offline
    expect(b.state.status).toMatchObject({ live: false, viewers: 0 })
  })

  test('the grace window also ends by the clock, without another reading', () => {
    const { events } = run([live(T0), off(T0 + 5_000), T0 + 36_000])
    expect(events.map((e) => e.type)).toEqual(['online', 'offline'])
  })

  test('a webhook saying the stream ended goes offline at once; a late one for an older stream is ignored', () => {
    const now = run([live(T0), { kind: 'ended', source: 'webhook', at: T0 + 1000, startedAt: start }])
    expect(now.events.map((e) => e.type)).toEqual(['online', 'offline'])
    const old = run([live(T0), { kind: 'ended', source: 'webhook', at: T0 + 1000, startedAt: '2026-06-19T10:00:00Z' }])
    expect(old.events.map((e) => e.type)).toEqual(['online'])
  })

  test('a lagging poll cannot revive a stream a webhook ended', () => {
    const { events, state } = run([live(T0), { kind: 'ended', source: 'webhook', at: T0 + 1000, startedAt: start }, live(T0 + 5000)])
    expect(events.map((e) => e.type)).toEqual(['online', 'offline'])
    expect(state.status.live).toBe(false)
    // Sources disagree on the start by a second or two: still the same, ended stream.
    const skew = run([live(T0 + 6000, { startedAt: '2026-06-20T20:59:01.000Z' })], state)
    expect(skew.events).toEqual([])
    expect(skew.state.status.live).toBe(false)
    const next = run([live(T0 + 120_000, { startedAt: '2026-06-20T21:01:59.000Z' })], state)
    expect(next.events.map((e) => e.type)).toEqual(['online']) // a genuinely new stream does go live
  })

  test('title and category changes while live are events; offline empties are not', () => {
    const { events, state } = run([
      live(T0), live(T0 + 10_000, { title: 'new title' }), live(T0 + 20_000, { title: 'new title', category: { id: 2, name: 'IRL' } }),
      off(T0 + 30_000), T0 + 70_000, { kind: 'metadata', source: 'api', at: T0 + 80_000, title: null, category: null },
    ])
    expect(events.map((e) => e.type)).toEqual(['online', 'title', 'category', 'offline'])
    expect(events[1]!.previous?.title).toBe('hello')
    expect(state.status.title).toBe('new title')
  })

  test('nobody read for three intervals: stale with the last known state, never a made-up offline', () => {
    const { state, events } = run([live(T0), T0 + 31_000])
    expect(state.status).toMatchObject({ stale: true, live: true, viewers: 100 })
    expect(events.map((e) => e.type)).toEqual(['online'])
    const back = run([live(T0 + 40_000)], state)
    expect(back.state.status.stale).toBe(false)
    expect(back.events).toEqual([])
  })

  test('a webhook end goes offline at Kick\'s ended_at, not when the delivery arrived', () => {
    const { events } = run([live(T0), { kind: 'ended', source: 'webhook', at: T0 + 90_000, startedAt: start, endedAt: new Date(T0 + 30_000).toISOString() }])
    expect(events.map((e) => [e.type, e.at])).toEqual([['online', new Date(T0).toISOString()], ['offline', new Date(T0 + 30_000).toISOString()]])
  })

  test('a live count of 0 is a hidden count: null with viewers_hidden, no sample; a shown count again ends it', () => {
    const steps: ReturnType<typeof applyReading>[] = []
    let state = initialState(unknownStatus('abc'))
    for (const r of [live(T0, { viewers: 0 }), live(T0 + 10_000, { viewers: 0 }), live(T0 + 20_000, { viewers: 321 })]) {
      const step = applyReading(state, r, cfg)
      steps.push(step)
      state = step.state
    }
    expect(steps.map((x) => [x.state.status.viewers, x.state.status.viewers_hidden, x.sample])).toEqual([[null, true, 'hidden'], [null, true, 'hidden'], [321, false, 321]])
    expect(steps[0]!.events.map((e) => e.type)).toEqual(['online'])
    const ended = run([off(T0 + 30_000), T0 + 70_000], state)
    expect(ended.state.status).toMatchObject({ live: false, viewers: 0, viewers_hidden: false })
  })

  test('a reading older than the last one (a webhook that waited while the poller was stopped) never moves checked_at back', () => {
    // Subscribers order a streamer's statuses by checked_at: the gateway takes a KV entry only
    // when it is newer than what kick.status brought. A status that went back in time would lose
    // to the older one still on its way through the KV, and stay wrong until the next change.
    const polled = run([live(T0), off(T0 + 10_000)]) // a poll after the end: inside the grace window
    const late = applyReading(polled.state, { kind: 'ended', source: 'webhook', at: T0 + 6_000, startedAt: start, endedAt: new Date(T0 + 5_000).toISOString() }, cfg)
    expect(late.events.map((e) => e.type)).toEqual(['offline'])
    expect(late.state.status).toMatchObject({ live: false, checked_at: new Date(T0 + 10_000).toISOString() })
    expect(late.state.status.checked_at! >= polled.state.status.checked_at!).toBe(true)
  })

  test('webhook readings keep the last known viewer count', () => {
    const { state } = run([live(T0, { viewers: 500 }), live(T0 + 1000, { source: 'webhook', viewers: 0, viewersKnown: false })])
    expect(state.status.viewers).toBe(500)
    expect(state.status.source).toBe('webhook')
  })
})
