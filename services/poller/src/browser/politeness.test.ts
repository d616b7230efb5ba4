import { expect, test } from 'bun:test'
import { PageGate } from './politeness.ts'

function clock(start = 1_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

test('at most one visit per second', () => {
  const c = clock()
  const gate = new PageGate({}, c.now)
  expect(gate.tryStart()).toBe(true)
  expect(gate.tryStart()).toBe(false)
  c.advance(999)
  expect(gate.waitMs()).toBe(1)
  expect(gate.tryStart()).toBe(false)
  c.advance(1)
  expect(gate.tryStart()).toBe(true)
})

test('pollers sharing the site keep one visit per second between them', () => {
  const c = clock()
  const gate = new PageGate({}, c.now)
  gate.sharedBy = 3
  expect(gate.tryStart()).toBe(true)
  c.advance(2999)
  expect(gate.tryStart()).toBe(false)
  c.advance(1)
  expect(gate.tryStart()).toBe(true)
})

test('by default a block pauses every visit for at least 60 s', () => {
  const c = clock()
  const gate = new PageGate({}, c.now)
  expect(gate.blockBackoffMs).toBe(60_000)
  gate.tryStart()
  expect(gate.blocked()).toBe(60_000)
  c.advance(59_999)
  expect(gate.tryStart()).toBe(false)
  expect(gate.backoffMs).toBe(1)
  c.advance(1)
  expect(gate.tryStart()).toBe(true)
})

test('blocks in a row double the pause up to the cap; a good visit resets it', () => {
  const c = clock()
  const gate = new PageGate({ blockBackoffMs: 60_000, maxBackoffMs: 300_000 }, c.now)
  expect([gate.blocked(), gate.blocked(), gate.blocked(), gate.blocked(), gate.blocked()]).toEqual([60_000, 120_000, 240_000, 300_000, 300_000])
  expect(gate.blocks).toBe(5)
  gate.ok()
  c.advance(300_000)
  expect(gate.blocked()).toBe(60_000)
})

test('a shortened back-off (tests) still pauses for that long', () => {
  const c = clock()
  const gate = new PageGate({ blockBackoffMs: 2000 }, c.now)
  gate.blocked()
  c.advance(1999)
  expect(gate.tryStart()).toBe(false)
  c.advance(1)
  expect(gate.tryStart()).toBe(true)
})
