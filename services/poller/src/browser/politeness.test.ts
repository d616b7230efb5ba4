import { expect, test } from 'bun:test'
import { PageGate } from './politeness.ts'

/** A gate on a clock the test moves by hand. */
function gateOnClock(opts: ConstructorParameters<typeof PageGate>[0] = {}, start = 1_000_000) {
  let t = start
  const gate = new PageGate(opts, () => t)
  return { gate, advance: (ms: number) => void (t += ms) }
}

/** The gate stays shut until `ms` from now, and opens then. */
function expectOpensIn(g: ReturnType<typeof gateOnClock>, ms: number) {
  g.advance(ms - 1)
  expect(g.gate.tryStart()).toBe(false)
  g.advance(1)
  expect(g.gate.tryStart()).toBe(true)
}

test('at most one visit per second', () => {
  const g = gateOnClock()
  expect(g.gate.tryStart()).toBe(true)
  expect(g.gate.tryStart()).toBe(false)
  g.advance(999)
  expect(g.gate.waitMs()).toBe(1)
  expectOpensIn(g, 1)
})

test('pollers sharing the site keep one visit per second between them', () => {
  const g = gateOnClock()
  g.gate.sharedBy = 3
  expect(g.gate.tryStart()).toBe(true)
  expectOpensIn(g, 3000)
})

test('by default a block pauses every visit for at least 60 s', () => {
  const g = gateOnClock()
  expect(g.gate.blockBackoffMs).toBe(60_000)
  g.gate.tryStart()
  expect(g.gate.blocked()).toBe(60_000)
  g.advance(59_999)
  expect(g.gate.backoffMs).toBe(1)
  expectOpensIn(g, 1)
})

test('blocks in a row double the pause up to the cap; a good visit resets it', () => {
  const { gate, advance } = gateOnClock({ blockBackoffMs: 60_000, maxBackoffMs: 300_000 })
  expect([gate.blocked(), gate.blocked(), gate.blocked(), gate.blocked(), gate.blocked()]).toEqual([60_000, 120_000, 240_000, 300_000, 300_000])
  expect(gate.blocks).toBe(5)
  gate.ok()
  advance(300_000)
  expect(gate.blocked()).toBe(60_000)
})

test('a shortened back-off (tests) still pauses for that long', () => {
  const g = gateOnClock({ blockBackoffMs: 2000 })
  g.gate.blocked()
  expectOpensIn(g, 2000)
})
