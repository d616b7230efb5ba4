import { expect, test } from 'bun:test'
import { wellFormed } from '../../shared/src/rpc.ts'

test('lone surrogates anywhere in a request are caught before they reach PostgreSQL', () => {
  expect(wellFormed({ a: ['ok', { b: 'ünïcødé 🎮' }], n: 1, z: null })).toBe(true)
  expect(wellFormed({ display_name: '\ud800' })).toBe(false)
  expect(wellFormed({ list: ['fine', ['\udfff x']] })).toBe(false)
  expect(wellFormed({ ['k\ud800']: 1 })).toBe(false)
})

test('deeply nested input is checked without blowing the stack', () => {
  let deep: unknown = 'x'
  for (let i = 0; i < 200_000; i++) deep = [deep]
  expect(wellFormed(deep)).toBe(true)
  expect(wellFormed(JSON.parse('['.repeat(100_000) + '"\\ud800"' + ']'.repeat(100_000)))).toBe(false)
})

test('wide input is checked too', () => {
  expect(wellFormed(Array.from({ length: 300_000 }, () => 'ok'))).toBe(true)
})
