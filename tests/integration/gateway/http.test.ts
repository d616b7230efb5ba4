import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { csvCell } from '../../../services/gateway/src/pages/csv.ts'
import { MediaCache } from '../../../services/gateway/src/media/media-cache.ts'
import { eventually } from '../../harness/services.ts'
import { startGatewayHarness, type Client, type GatewayHarness } from './harness.ts'

// What HTTP clients notice: error shapes and statuses, CSRF and origin checks, security
// headers, escaping of streamer-supplied text, pagination, the OpenAPI document, the health
// report and the media proxy. The access rules themselves are in rbac.test.ts.

let h: GatewayHarness
let viewer: Client
let A: string, B: string
const TITLE = '<script>alert("pwned")</script> & =SUM(A1)'

const errorShape = (body: unknown) => {
  expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } })
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/) // never a stack trace
}

beforeAll(async () => {
  // This test's loopback is a trusted proxy: a real request from it may say it came over HTTPS.
  h = await startGatewayHarness({ channels: 6, config: { TRUSTED_PROXIES: '127.0.0.1' } })
  ;[A, B] = h.slugs() as [string, string]
  await h.monitor(A)
  await h.monitor(B)
  viewer = await h.user('viewer')
  await h.assign(viewer.id, [A])
  h.env.sim.world.update(A, { live: true, viewers: 1234, title: TITLE })
  await eventually(() => h.statuses.get(A)?.title === TITLE, 10_000, 'the title to reach the gateway')
}, 90_000)
afterAll(async () => {
  await h?.stop()
})

describe('errors', () => {
  test('each failure has its status and a {error: {code, message}} body', async () => {
    const cases: [Promise<Response>, number, string][] = [
      [h.admin.fetch('/api/v1/streamers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"slug":' }), 400, 'BAD_REQUEST'],
      [h.handle('/api/v1/streamers'), 401, 'UNAUTHENTICATED'],
      [h.handle('/api/v1/streamers', { headers: { authorization: 'Bearer kmk_00000000_' + '0'.repeat(64) } }), 401, 'UNAUTHENTICATED'],
      [h.handle('/api/v1/streamers', { headers: { authorization: 'Basic abc' } }), 401, 'UNAUTHENTICATED'],
      [viewer.fetch('/api/v1/users'), 403, 'FORBIDDEN'],
      [h.admin.fetch('/api/v1/nope'), 404, 'NOT_FOUND'],
      [h.admin.fetch('/api/v1/streamers/not-watched'), 404, 'NOT_FOUND'],
      [h.admin.fetch('/api/v1/streamers', { method: 'POST', json: { slug: 'no-such-channel' } }), 404, 'NOT_FOUND'],
      [h.admin.fetch('/api/v1/users', { method: 'POST', json: { username: 'admin', password: 'long-enough-1', role: 'user' } }), 409, 'CONFLICT'],
      [h.admin.fetch('/api/v1/streamers', { method: 'POST', json: { slug: '../etc' } }), 422, 'VALIDATION'],
      [h.admin.fetch(`/api/v1/streamers/${A}/viewers?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`), 422, 'VALIDATION'],
    ]
    for (const [p, status, code] of cases) {
      const r = await p
      const body = await r.json()
      expect({ status: r.status, code: (body as { error: { code: string } }).error.code }).toEqual({ status, code })
      errorShape(body)
      expect(r.headers.get('x-request-id')).toBeTruthy()
    }
  })

  test('a validation error names the field', async () => {
    const r = await h.admin.fetch('/api/v1/users', { method: 'POST', json: { username: 'ok_name', password: 'x', role: 'viewer' } })
    expect(r.status).toBe(422)
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/^password: .*8 characters/)
  })

  test('too many failed logins answer 429 with Retry-After, and the login page shows auth’s message', async () => {
    const attempt = () => h.handle('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'mallory', password: 'guess-guess' }) })
    let r = await attempt()
    for (let i = 0; i < 8 && r.status !== 429; i++) r = await attempt()
    expect(r.status).toBe(429)
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
    const body = (await r.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/too many failed sign-in attempts/)
    const page = await h.handle('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: 'username=mallory&password=guess-guess' })
    expect(page.status).toBe(429)
    expect(await page.text()).toContain('too many failed sign-in attempts')
  })

  test('browsers get an HTML error page, htmx a fragment, API clients JSON', async () => {
    const page = await h.admin.fetch('/no/such/page', { headers: { accept: 'text/html' } })
    expect(page.status).toBe(404)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(await page.text()).toContain('404 not found')
    const frag = await viewer.fetch('/admin/users/1/streamers', { headers: { 'hx-request': 'true' } })
    expect(frag.status).toBe(403)
    expect(await frag.text()).toMatch(/^<p class="error" role="alert">/)
    const anon = await h.handle('/system/report', { headers: { 'hx-request': 'true' } })
    expect(anon.status).toBe(401)
    expect(anon.headers.get('hx-redirect')).toBe('/login')
  })

  test('junk in any JSON body or query never gets a 5xx or a stack trace', async () => {
    const routes: [string, string][] = [
      ['POST', '/api/v1/streamers'], ['POST', '/api/v1/users'], ['PATCH', `/api/v1/users/${viewer.id}`], ['PUT', `/api/v1/users/${viewer.id}/streamers`],
      ['POST', `/api/v1/users/${viewer.id}/password`], ['POST', '/api/v1/api-keys'], ['POST', '/api/v1/auth/login'],
    ]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue({ maxDepth: 3 }), async ([method, path], body) => {
        const r = await h.admin.fetch(path, { method, json: body })
        expect(r.status).toBeLessThan(500)
        if (r.status >= 400) errorShape(await r.json())
        else await r.arrayBuffer()
      }),
      { numRuns: 150 },
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/v1/streamers', `/api/v1/streamers/${A}/events`, `/api/v1/streamers/${A}/viewers`, '/api/v1/users', '/api/v1/audit', '/'), fc.dictionary(fc.constantFrom('limit', 'offset', 'before', 'from', 'to', 'step', 'live', 'sort', 'q', 'group', 'type', 'action'), fc.string({ maxLength: 30 })), async (path, q) => {
        const r = await h.admin.fetch(`${path}?${new URLSearchParams(q)}`)
        expect(r.status).toBeLessThan(500)
        await r.arrayBuffer()
      }),
      { numRuns: 150 },
    )
  }, 60_000)
})

describe('CSRF and origin', () => {
  const add = (c: Client, headers: Record<string, string>, csrf = true) =>
    c.fetch('/api/v1/api-keys', { method: 'POST', json: { name: 'csrf probe', scope: 'read' }, headers, csrf })

  test('a cookie request that changes something needs the token, from our own origin', async () => {
    expect((await add(viewer, {}, false)).status).toBe(403)
    expect((await add(viewer, { 'x-csrf-token': 'f'.repeat(64) }, false)).status).toBe(403)
    expect((await add(viewer, { origin: 'https://evil.example' })).status).toBe(403)
    expect((await add(viewer, { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    const denied = await add(viewer, {}, false)
    expect(((await denied.json()) as { error: { message: string } }).error.message).toContain('CSRF')
    expect((await add(viewer, { origin: h.base, 'sec-fetch-site': 'same-origin' })).status).toBe(201)
  })

  test('a form post without JavaScript carries the token as a field', async () => {
    const r = await h.handle('/logout', { method: 'POST', headers: { cookie: viewer.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf_token=wrong' })
    expect(r.status).toBe(403)
    expect((await viewer.fetch('/api/v1/me')).status).toBe(200) // still logged in
  })

  test('API-key callers need no CSRF token; GET never changes state', async () => {
    const key = await h.apiKey(h.admin, 'write')
    const r = await h.handle('/api/v1/users', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'keymade', password: 'long-enough-1', role: 'viewer' }) })
    expect(r.status).toBe(201)
    for (const path of ['/logout', '/api/v1/auth/logout', `/admin/streamers/${A}`]) expect((await viewer.fetch(path)).status).toBe(404)
    expect((await viewer.fetch('/api/v1/me')).status).toBe(200)
  })
})

describe('headers and escaping', () => {
  test('every answer carries a strict CSP (no inline or eval script) and the other security headers', async () => {
    for (const r of [await viewer.fetch('/'), await viewer.fetch('/api/v1/me'), await h.handle('/api/v1/nope'), await h.handle('/login')]) {
      const csp = r.headers.get('content-security-policy')!
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).not.toContain('unsafe-eval')
      expect(r.headers.get('x-content-type-options')).toBe('nosniff')
      expect(r.headers.get('referrer-policy')).toBe('same-origin')
      await r.arrayBuffer()
    }
    const img = await viewer.fetch(`/media/avatar/${A}`)
    expect(img.headers.get('content-security-policy')).toContain('sandbox')
    await img.arrayBuffer()
  })

  test('HTTPS answers (directly or behind a TLS proxy) carry HSTS; the plain-HTTP localhost mode does not', async () => {
    for (const path of ['/login', '/api/v1/me', '/api/v1/nope']) {
      const proxied = await fetch(h.base + path, { headers: { 'x-forwarded-proto': 'https' } })
      const hsts = proxied.headers.get('strict-transport-security')!
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000) // at least a year
      expect(hsts).toContain('includeSubDomains')
      const direct = await h.app.handle(new Request(`https://kickmon.example${path}`))
      expect(direct.headers.get('strict-transport-security')).toBe(hsts)
      const plain = await h.handle(path)
      expect(plain.headers.get('strict-transport-security')).toBeNull()
      // Said by a client that is not a trusted proxy (no socket peer here), the header is ignored.
      const spoofed = await h.handle(path, { headers: { 'x-forwarded-proto': 'https' } })
      expect(spoofed.headers.get('strict-transport-security')).toBeNull()
      await Promise.all([proxied.arrayBuffer(), direct.arrayBuffer(), plain.arrayBuffer(), spoofed.arrayBuffer()])
    }
  })

  test('a streamer title with <script> is text on every page and in every export', async () => {
    const escaped = '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;'
    for (const path of ['/', `/streamers/${A}`, '/admin/streamers']) {
      const body = await (await h.admin.fetch(path)).text()
      expect(body).not.toContain('<script>alert')
      if (path !== '/admin/streamers') expect(body).toContain(escaped)
    }
    const api = (await (await viewer.fetch(`/api/v1/streamers/${A}`)).json()) as { title: string }
    expect(api.title).toBe(TITLE) // JSON carries it as data
    const csv = await eventually(async () => {
      const t = await (await viewer.fetch(`/streamers/${A}/sessions.csv`)).text()
      return t.includes('pwned') ? t : null
    }, 10_000, 'the stream in the CSV')
    expect(csv).toContain('"<script>alert(""pwned"")</script> & =SUM(A1)"') // text, quoted
    // A cell a spreadsheet would run as a formula is defused.
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`)
    expect(csvCell('@cmd')).toBe("'@cmd")
    expect(csvCell(-5)).toBe('-5')
  })

  test('the session cookie is HttpOnly and SameSite; __Host- with Secure over HTTPS', async () => {
    const login = (proto: string) =>
      fetch(h.base + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': proto }, body: JSON.stringify({ username: 'admin', password: 'correct horse battery' }) })
    const plain = (await login('http')).headers.get('set-cookie')!
    expect(plain).toMatch(/^kickmon_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/)
    const secure = (await login('https')).headers.get('set-cookie')!
    expect(secure).toMatch(/^__Host-kickmon_session=.*; Path=\/; HttpOnly; SameSite=Lax; .*Secure/)
  })
})

describe('lists, documents and reports', () => {
  test('lists page with limit/offset, X-Total-Count and a Link to the next page', async () => {
    const r = await h.admin.fetch('/api/v1/users?limit=2')
    const total = Number(r.headers.get('x-total-count'))
    expect(total).toBeGreaterThan(2)
    expect(((await r.json()) as unknown[]).length).toBe(2)
    expect(r.headers.get('link')).toBe('</api/v1/users?limit=2&offset=2>; rel="next"')
    const s = await h.admin.fetch('/api/v1/streamers?limit=1&offset=1')
    expect(s.headers.get('x-total-count')).toBe('2')
    expect(((await s.json()) as { slug: string }[]).map((x) => x.slug)).toEqual([[A, B].sort()[1]!])
    const live = (await (await h.admin.fetch('/api/v1/streamers?live=true')).json()) as { slug: string }[]
    expect(live.map((x) => x.slug)).toEqual([A])
  })

  test('the OpenAPI document lists every API route with its roles and schemas', async () => {
    const doc = (await (await h.handle('/api/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, { 'x-roles'?: string[]; responses: Record<string, unknown>; requestBody?: unknown }>> }
    expect(doc.openapi).toBe('3.1.0')
    const api = h.app.routes.filter((r) => r.path.startsWith('/api/v1/'))
    for (const r of api) {
      const op = doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()]
      expect(op).toBeDefined()
    }
    expect(doc.paths['/api/v1/users']!.get!['x-roles']).toEqual(['admin'])
    expect(doc.paths['/api/v1/streamers']!.post!.requestBody).toBeDefined()
    expect(JSON.stringify(doc.paths['/api/v1/streamers/{slug}']!.get!.responses['200'])).toContain('"kick_user_id"')
  })

  test('the health report has every service, their readiness, NATS, PostgreSQL and the poller’s upstream report', async () => {
    const r = (await (await h.admin.fetch('/api/v1/health')).json()) as {
      services: { name: string; readyz: { ok: boolean } | null }[]; missing: string[]; nats: { connected: boolean; rtt_ms: number }; upstream: unknown
    }
    expect(r.services.map((s) => s.name).sort()).toEqual(['auth', 'gateway', 'notifier', 'poller'])
    expect(r.missing).toEqual([])
    expect(r.services.find((s) => s.name === 'notifier')!.readyz!.ok).toBe(true)
    expect(r.nats.connected).toBe(true)
    expect(r.upstream).toBeTruthy()
    expect(r.services.find((s) => s.name === 'gateway')!.readyz!.ok).toBe(true)
  })
})

describe('media proxy', () => {
  test('avatars come through the gateway from the URL the poller reported, cached', async () => {
    const first = await viewer.fetch(`/media/avatar/${A}`)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('image/svg+xml')
    const body = await first.text()
    expect(body).toContain('<svg') // kick-sim's picture, not our placeholder letter
    expect(body).not.toContain('font-family="monospace"')
    expect(first.headers.get('cache-control')).toContain('private')
  })

  test('only Kick’s hosts (or the configured ones) are ever fetched, and only images within the size cap', async () => {
    const m = new MediaCache({ KICK_API_URL: 'https://api.kick.com', KICK_WEB_URL: 'https://kick.com', KICK_AUTH_URL: 'https://id.kick.com' })
    expect(m.allowed('https://files.kick.com/images/user/1/profile_image/x.webp')).toBe(true)
    expect(m.allowed('https://kick.com/img.png')).toBe(true)
    for (const bad of ['http://169.254.169.254/latest/meta-data', 'https://evil.example/kick.com/a.png', 'https://kick.com.evil.example/a.png', 'file:///etc/passwd', 'javascript:alert(1)'])
      expect(m.allowed(bad)).toBe(false)
    expect(await m.get('http://127.0.0.1:1/x.png')).toBeNull()
    const sim = new URL(h.env.simUrl)
    const local = new MediaCache({ KICK_API_URL: h.env.simUrl, KICK_WEB_URL: h.env.simUrl, KICK_AUTH_URL: h.env.simUrl }, { maxBytes: 1e6, itemMax: 100, ttlMs: 1e6, failTtlMs: 1e6, timeoutMs: 2000 })
    expect(await local.get(`http://${sim.host}/images/user/1/profile_image/abc`)).toBeNull() // bigger than 100 bytes
    expect(await local.get(`http://${sim.host}/public/v1/channels`)).toBeNull() // not an image
  })
})
