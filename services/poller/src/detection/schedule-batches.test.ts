import { expect, test } from 'bun:test'
import { scheduleBatches } from './schedule-batches.ts'

test('10,000 streamers in batches of 100 spread over a 10 s interval: one request every 100 ms', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => i)
  const plan = scheduleBatches(ids, 100, 10_000)
  expect(plan.length).toBe(100)
  expect(plan.every((p) => p.batch.length === 100)).toBe(true)
  expect(plan.map((p) => p.offsetMs).slice(0, 3)).toEqual([0, 100, 200])
  expect(plan.at(-1)!.offsetMs).toBe(9_900)
  expect(new Set(plan.flatMap((p) => p.batch)).size).toBe(10_000)
})

test('a partial last batch and an empty list', () => {
  expect(scheduleBatches([1, 2, 3], 2, 1000)).toEqual([{ offsetMs: 0, batch: [1, 2] }, { offsetMs: 500, batch: [3] }])
  expect(scheduleBatches([], 100, 1000)).toEqual([])
})
