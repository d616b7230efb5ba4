import { expect, test } from 'bun:test'
import { PublicRateLimit } from './rate-limit.ts'

test('a burst, then the steady rate; each address on its own; Retry-After in whole seconds', () => {
  const l = new PublicRateLimit({ burst: 3, perSecond: 0.5, sockets: 2 })
  const t = 1_000
  expect([l.take('a', t), l.take('a', t), l.take('a', t)]).toEqual([null, null, null])
  expect(l.take('a', t)).toBe(2) // one token takes 2 s at 0.5/s
  expect(l.take('b', t)).toBeNull() // another address is not affected
  expect(l.take('a', t + 1_000)).toBe(1) // half a token after 1 s
  expect(l.take('a', t + 2_100)).toBeNull() // a whole one after 2 s
  expect(l.take('a', t + 2_100)).not.toBeNull()
})

test('live feeds per address: at most the limit open, and closing frees a place', () => {
  const l = new PublicRateLimit({ burst: 10, perSecond: 1, sockets: 2 })
  expect([l.openSocket('a'), l.openSocket('a'), l.openSocket('a')]).toEqual([true, true, false])
  expect(l.openSocket('b')).toBe(true)
  l.closeSocket('a')
  expect(l.openSocket('a')).toBe(true)
  expect(l.openSocket('a')).toBe(false)
})
