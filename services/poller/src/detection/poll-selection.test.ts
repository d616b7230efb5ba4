import { expect, test } from 'bun:test'
import { groupOf, selectPolled, type Coverage } from './poll-selection.ts'
import { scheduleBatches } from './schedule-batches.ts'

// 1,000 streamers with sequential ids (kick-sim's): 200 without webhooks, 300 covered and live, 500 covered and offline.
const ids = Array.from({ length: 1000 }, (_, i) => 5_000 + i)
const coverage = (id: number): Coverage => (id % 10 < 2 ? 'none' : id % 10 < 5 ? 'covered' : 'covered-offline')

test('every covered offline streamer is polled exactly once in every 3 cycles; all others every cycle', () => {
  const polled = new Map<number, number>()
  for (let round = 0; round < 3; round++) {
    const s = selectPolled(ids, coverage, round, 3)
    expect(s.reduced.length).toBe(500)
    expect(new Set(s.polled).size).toBe(s.polled.length)
    for (const id of s.polled) polled.set(id, (polled.get(id) ?? 0) + 1)
  }
  for (const id of ids) expect([id, polled.get(id)]).toEqual([id, coverage(id) === 'covered-offline' ? 1 : 3])
  // The next cycle starts over with the same group.
  expect(selectPolled(ids, coverage, 3, 3).polled).toEqual(selectPolled(ids, coverage, 0, 3).polled)
})

test('each cycle polls about the same number: a third of the covered offline ones besides the 500 others', () => {
  for (let round = 0; round < 3; round++) {
    const n = selectPolled(ids, coverage, round, 3).polled.length - 500
    expect(n).toBeGreaterThan(500 / 3 - 25)
    expect(n).toBeLessThan(500 / 3 + 25)
  }
})

test('batches stay full: only the last of a cycle is partial', () => {
  for (let round = 0; round < 3; round++) {
    const plan = scheduleBatches(selectPolled(ids, coverage, round, 3).polled, 100, 10_000)
    expect(plan.length).toBe(7) // 500 + ~167 = 7 requests instead of 10
    expect(plan.slice(0, -1).every((p) => p.batch.length === 100)).toBe(true)
  }
})

test('streamers without webhooks come first, then the covered live ones, each in the given order', () => {
  const { polled } = selectPolled(ids, coverage, 1, 3)
  expect(polled.slice(0, 200)).toEqual(ids.filter((id) => coverage(id) === 'none'))
  expect(polled.slice(200, 500)).toEqual(ids.filter((id) => coverage(id) === 'covered'))
  expect(polled.slice(500).every((id) => coverage(id) === 'covered-offline' && groupOf(id, 3) === 1)).toBe(true)
})

test('1 turns it off, and without a covered offline streamer the order is the given one', () => {
  let asked = 0
  expect(selectPolled(ids, () => (asked++, 'covered-offline'), 0, 1)).toEqual({ polled: ids, reduced: [] })
  expect(asked).toBe(0)
  const noneOffline = (id: number): Coverage => (id % 2 ? 'none' : 'covered')
  expect(selectPolled(ids, noneOffline, 0, 3).polled).toEqual(ids)
  expect(selectPolled([], coverage, 0, 3)).toEqual({ polled: [], reduced: [] })
})

test('a user id keeps its group, and groups are even for sequential and large ids', () => {
  expect(groupOf(123_456, 3)).toBe(groupOf(123_456, 3))
  for (const base of [1, 70_000_000, 2 ** 40]) {
    const counts = [0, 0, 0, 0, 0]
    for (let i = 0; i < 10_000; i++) counts[groupOf(base + i, 5)]!++
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(150)
  }
})
