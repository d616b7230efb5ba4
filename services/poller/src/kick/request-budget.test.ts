import { expect, test } from 'bun:test'
import { RequestBudget } from './request-budget.ts'

/** Most grants within any `windowMs` (sliding). */
function maxInWindow(times: number[], windowMs: number) {
  let best = 0
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= windowMs) i++
    best = Math.max(best, j - i + 1)
  }
  return best
}

test('a full bucket plus a second of refill still never puts more than `rate` in one second', async () => {
  const budget = new RequestBudget(20)
  const grants: number[] = []
  const start = performance.now()
  await Promise.all(Array.from({ length: 50 }, () => budget.take().then(() => grants.push(performance.now()))))
  // Times are taken in the callbacks, a few ms after each grant on a busy box; a bucket alone
  // would show 40 (a full burst, then a second's refill) well inside one second.
  expect(maxInWindow(grants, 950)).toBe(20)
  // 50 grants at 20/s need two full windows after the first, which is granted at once. Counted from
  // before the first take: the first callback runs only after all 50 takes, late on a busy box.
  expect(grants.at(-1)! - start).toBeGreaterThanOrEqual(2000)
})

test('a pause (a 429 with Retry-After) holds every grant until it ends', async () => {
  const budget = new RequestBudget(50)
  const t0 = performance.now()
  budget.pause(0.5)
  expect(budget.pausedForS).toBeGreaterThan(0.4)
  await budget.take()
  expect(performance.now() - t0).toBeGreaterThanOrEqual(495)
})
