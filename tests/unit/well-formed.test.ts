import { expect, test } from 'bun:test'
import { wellFormed } from '../../shared/src/rpc.ts'

test('lone surrogates anywhere in a request are caught before they reach PostgreSQL', () => {
  expect(wellFormed({ a: ['ok', { b: 'ünïcødé 🎮' }], n: 1, z: null })).toBe(true)
  expect(wellFormed({ display_name: '\ud800' })).toBe(false)
  expect(wellFormed({ list: ['fine', ['\udfff x']] })).toBe(false)
  expect(wellFormed({ ['k\ud800']: 1 })).toBe(false)
})
