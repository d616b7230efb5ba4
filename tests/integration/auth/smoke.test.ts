import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ADMIN, startAuthHarness, type AuthHarness } from './harness.ts'

let h: AuthHarness
beforeAll(async () => {
  h = await startAuthHarness()
})
afterAll(() => h.stop())

test('admin logs in', async () => {
  const r = await h.call('login', { username: ADMIN.username, password: ADMIN.password, ip: '127.0.0.1' })
  expect(r.user.role).toBe('admin')
  const v = await h.call('verify', { token: r.token })
  expect(v.session_id).toBe(r.session_id)
})
