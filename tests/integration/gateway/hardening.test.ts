import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { eventually } from '../../harness/services.ts'
import { upgradeAnswer } from '../../harness/ws-upgrade.ts'
import { ADMIN, startGatewayHarness, type Client, type GatewayHarness } from './harness.ts'

// Review findings (issue 11): the session cookie over HTTPS, `Origin: null` on the live feeds,
// what an unassigned user can learn about other streamers, and changing one's own password.

let h: GatewayHarness
let A: string, B: string, C: string, D: string

beforeAll(async () => {
  h = await startGatewayHarness({ channels: 6 })
  ;[A, B, C, D] = h.slugs() as [string, string, string, string]
  for (const s of [A, B]) await h.monitor(s)
}, 90_000)
afterAll(async () => {
  await h?.stop()
})

/** A status for a made-up streamer (the gateway keeps what it is told in memory). */
const fake = (slug: string): StreamerStatus => ({ ...h.statuses.get(A)!, slug, username: slug, checked_at: new Date().toISOString() })
function publish(slug: string, patch: Partial<StreamerStatus>) {
  const s = { ...h.statuses.get(slug)!, ...patch, checked_at: new Date().toISOString(), changed_at: new Date().toISOString() }
  h.poller.ctx.nc.publish(subjects.status(slug), JSON.stringify(s)) // as the poller: only it may publish statuses
}

type Socket = { ws: WebSocket; messages: string[]; text: () => string }
function openSocket(headers: Record<string, string>, query = ''): Promise<Socket> {
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws${query}`, { headers } as never)
  const messages: string[] = []
  ws.onmessage = (e) => messages.push(String(e.data))
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve({ ws, messages, text: () => messages.join('\n') })
    ws.onerror = () => reject(new Error('the upgrade was refused'))
  })
}

describe('the session cookie', () => {
  const token = (c: Client) => c.cookie.split('=').slice(1).join('=')

  test('over HTTPS only the __Host- cookie counts; the unprefixed one is ignored', async () => {
    const u = await h.user('viewer')
    expect(u.cookie).toStartWith('kickmon_session=') // logged in over plain HTTP (the demo)
    const https = (cookie: string) => h.app.handle(new Request(`https://kickmon.test/api/v1/me`, { headers: { cookie } }))
    expect((await https(`kickmon_session=${token(u)}`)).status).toBe(401)
    expect((await https(`__Host-kickmon_session=${token(u)}`)).status).toBe(200)
    // X-Forwarded-Proto from a peer not in TRUSTED_PROXIES is ignored: still plain HTTP, so no
    // one can switch the cookie rules by claiming HTTPS (behind Caddy: tests/e2e/reverse-proxy.test.ts).
    const claimed = await h.handle('/api/v1/me', { headers: { cookie: `kickmon_session=${token(u)}`, 'x-forwarded-proto': 'https' } })
    expect(claimed.status).toBe(200)
    expect(claimed.headers.get('strict-transport-security')).toBeNull()
    // Plain HTTP (localhost demo) keeps working with the unprefixed cookie.
    expect((await u.fetch('/api/v1/me')).status).toBe(200)
  })
})

describe('Origin: null on the live feeds', () => {
  test('the /ws upgrade refuses Origin: null (and foreign origins), accepts its own', async () => {
    const u = await h.user('viewer')
    const host = new URL(h.base).host
    await expect(openSocket({ cookie: u.cookie, origin: 'null' })).rejects.toThrow('the upgrade was refused')
    await expect(openSocket({ cookie: u.cookie, origin: 'https://evil.example' })).rejects.toThrow('the upgrade was refused')
    const ok = await openSocket({ cookie: u.cookie, origin: `http://${host}` })
    ok.ws.close()
  })

  test('a refused /ws upgrade is answered with its status and the usual error body; a plain GET is not a socket', async () => {
    const u = await h.user('viewer')
    const answer = async (headers: Record<string, string>, query = '') => {
      const r = await upgradeAnswer(h.base, `/ws${query}`, headers)
      return { status: r.status, code: r.status === 101 ? null : (JSON.parse(r.body) as { error: { code: string } }).error.code }
    }
    expect(await answer({})).toEqual({ status: 401, code: 'UNAUTHENTICATED' })
    expect(await answer({ cookie: 'kickmon_session=not-a-session' })).toEqual({ status: 401, code: 'UNAUTHENTICATED' })
    expect(await answer({ cookie: u.cookie, origin: 'null' })).toEqual({ status: 403, code: 'FORBIDDEN' })
    expect(await answer({ cookie: u.cookie, origin: 'https://evil.example' })).toEqual({ status: 403, code: 'FORBIDDEN' })
    expect(await answer({ cookie: u.cookie, 'sec-fetch-site': 'cross-site' })).toEqual({ status: 403, code: 'FORBIDDEN' })
    expect(await answer({ cookie: u.cookie }, '?slug=not%20a%20slug')).toEqual({ status: 422, code: 'VALIDATION' })
    expect(await answer({ cookie: u.cookie, origin: h.base }, `?slug=${A}`)).toEqual({ status: 101, code: null })
    // The 101 carries the same hooks' headers as any answer.
    expect((await upgradeAnswer(h.base, '/ws', { cookie: u.cookie })).headers.get('x-content-type-options')).toBe('nosniff')
    const refused = await upgradeAnswer(h.base, '/ws', {})
    expect(refused.headers.get('x-request-id')).toBeTruthy()
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff')
    // Without the upgrade it is no route at all.
    expect((await u.fetch('/ws')).status).toBe(404)
  })

  test('the SSE stream refuses Origin: null (and foreign origins), accepts its own and programs that send none', async () => {
    const u = await h.user('viewer')
    const sse = (headers: Record<string, string>) => u.fetch('/api/v1/stream', { headers })
    for (const origin of ['null', 'https://evil.example']) {
      const r = await sse({ origin })
      expect([origin, r.status]).toEqual([origin, 403])
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN')
    }
    for (const headers of [{ origin: h.base }, {}] as Record<string, string>[]) {
      const r = await sse(headers)
      expect(r.status).toBe(200)
      await r.body?.cancel()
    }
  })
})

describe('Origin: null on login', () => {
  // Login carries no CSRF token (there is no session yet), so its only guard against a page
  // elsewhere logging you into its own account is the origin: a sandboxed frame or a data: page
  // sends "null", and a browser too old for Sec-Fetch-Site sends nothing else to refuse.
  test('the API and the login form refuse Origin: null and foreign origins, accept their own and programs that send none', async () => {
    const api = (headers: Record<string, string>) =>
      fetch(`${h.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(ADMIN) })
    const form = (headers: Record<string, string>) =>
      fetch(`${h.base}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(ADMIN).toString() })
    for (const origin of ['null', 'https://evil.example']) {
      const r = await api({ origin })
      expect([origin, r.status, r.headers.get('set-cookie')]).toEqual([origin, 403, null])
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN')
      const f = await form({ origin })
      expect([origin, f.status, f.headers.get('set-cookie')]).toEqual([origin, 403, null])
    }
    for (const headers of [{ origin: h.base }, {}] as Record<string, string>[]) {
      expect((await api(headers)).status).toBe(200)
      expect((await form(headers)).status).toBe(303)
    }
  })
})

describe('an unassigned user learns nothing about streamers outside their list', () => {
  test('a burst of removals sends delete fragments only to sockets that could see those rows', async () => {
    const u = await h.user('user')
    await h.assign(u.id, [A])
    const mine = await openSocket({ cookie: u.cookie })
    const admin = await openSocket({ cookie: h.admin.cookie })
    await eventually(() => mine.text().includes(`id="row-${A}"`), 5000, 'the user’s snapshot')
    const secret = Array.from({ length: 45 }, (_, i) => `hidden-${i}`)
    for (const s of secret) h.statuses.set(fake(s))
    await eventually(() => admin.text().includes('id="row-hidden-44"'), 5000, 'the admin seeing them')
    for (const s of secret) h.statuses.remove(s) // one burst: more than fit in one publish
    await eventually(() => admin.text().includes('#row-hidden-44'), 5000, 'the admin’s deletes')
    publish(A, { title: 'after the burst' })
    await eventually(() => mine.text().includes('after the burst'), 5000, 'the user’s own change')
    expect(mine.text()).not.toContain('hidden-')
    mine.ws.close()
    admin.ws.close()
  })

  test('a page catching up sends delete fragments only for rows it could see', async () => {
    const u = await h.user('user')
    await h.assign(u.id, [A])
    h.statuses.set(fake('gone-secret'))
    const cursor = h.gw.result.deps.feedLog.cursor() // the user's page renders here
    h.statuses.remove('gone-secret')
    publish(A, { title: 'changed while connecting' })
    await eventually(() => h.statuses.get(A)?.title === 'changed while connecting', 5000, 'the change')
    const s = await openSocket({ cookie: u.cookie }, `?since=${cursor}`)
    await eventually(() => s.text().includes('changed while connecting'), 5000, 'the catch-up')
    expect(s.text()).not.toContain('gone-secret')
    s.ws.close()
  })

  test('adding an already-monitored streamer answers exactly like adding a new one', async () => {
    const u = await h.user('user')
    const add = (slug: string) => u.fetch('/api/v1/streamers', { method: 'POST', json: { slug } })
    const shape = async (r: Response) => ({ status: r.status, keys: Object.keys((await r.json()) as object).sort() })
    const known = await shape(await add(B)) // monitored by the admin already
    const fresh = await shape(await add(C)) // nobody monitored it
    expect(known).toEqual(fresh)
    expect(known.status).toBe(201)

    // The dashboard's form: the same words either way.
    const form = async (slug: string) => {
      const r = await u.fetch('/streamers', { method: 'POST', body: new URLSearchParams({ slug }), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      const text = (await r.text()).replace(/<a [^>]*>[^<]*<\/a>/, '<link>')
      return { status: r.status, text }
    }
    const v = await h.user('user')
    const vForm = async (slug: string) => {
      const r = await v.fetch('/streamers', { method: 'POST', body: new URLSearchParams({ slug }), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      return { status: r.status, text: (await r.text()).replace(/<a [^>]*>[^<]*<\/a>/, '<link>') }
    }
    const knownForm = await vForm(A) // monitored by the admin
    const freshForm = await vForm(D) // new
    expect(knownForm).toEqual(freshForm)
    expect(knownForm.text).toContain('added to your list')
    // Their own list is theirs to know.
    expect((await form(B)).text).toContain('already on your list')
  })
})

describe('changing your own password needs the current one, admins included', () => {
  test('the API: an admin changing their own password must send current_password', async () => {
    const admin = await h.login(ADMIN.username, ADMIN.password)
    const me = { ...h.admin, ...admin }
    const change = (json: object) =>
      h.handle(`/api/v1/users/${me.id}/password`, { method: 'POST', headers: { cookie: me.cookie, 'x-csrf-token': me.csrf, 'content-type': 'application/json' }, body: JSON.stringify(json) })
    const without = await change({ password: 'taken-over-by-a-thief' })
    expect(without.status).toBe(422)
    expect(((await without.json()) as { error: { message: string } }).error.message).toBe('current_password: required to change your own password')
    const wrong = await change({ password: 'taken-over-by-a-thief', current_password: 'not the password' })
    expect(wrong.status).toBe(422)
    expect((await h.login(ADMIN.username, ADMIN.password)).id).toBe(me.id) // unchanged
  })

  test('the admin page does not reset your own password (the account page, with the current one, does)', async () => {
    const admin = await h.login(ADMIN.username, ADMIN.password)
    const r = await h.handle(`/admin/users/${admin.id}/password`, {
      method: 'POST', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: 'taken-over-by-a-thief' }),
    })
    expect(r.status).toBe(403)
    expect(await r.text()).toContain('current password')
    expect((await h.login(ADMIN.username, ADMIN.password)).id).toBe(admin.id) // unchanged
    const page = await (await h.handle('/admin/users', { headers: { cookie: admin.cookie } })).text()
    expect(page).not.toContain(`hx-post="/admin/users/${admin.id}/password"`)
    expect(page).toContain(`hx-post="/admin/users/`) // others' resets are still there
  })

  test('an admin resets another user’s password without knowing it, by API and by page', async () => {
    const u = await h.user('viewer')
    const api = await h.admin.fetch(`/api/v1/users/${u.id}/password`, { method: 'POST', json: { password: 'reset-by-admin-77' } })
    expect(api.status).toBe(200)
    expect((await h.login(u.username, 'reset-by-admin-77')).id).toBe(u.id)
    const page = await h.admin.fetch(`/admin/users/${u.id}/password`, { method: 'POST', body: new URLSearchParams({ password: 'reset-on-the-page-78' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(page.status).toBe(200)
    expect((await h.login(u.username, 'reset-on-the-page-78')).id).toBe(u.id)
  })

  test('a common password is refused with a clear message', async () => {
    const u = await h.user('user')
    const r = await u.fetch(`/api/v1/users/${u.id}/password`, { method: 'POST', json: { password: 'wildfire', current_password: 'user-password-1' } })
    expect(r.status).toBe(422)
    expect(((await r.json()) as { error: { message: string } }).error.message).toBe('new_password: this password is one of the most common passwords; choose another')
  })
})
