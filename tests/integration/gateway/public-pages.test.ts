import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { upgradeAnswer } from '../../harness/ws-upgrade.ts'
import { startGatewayHarness, type Client, type GatewayHarness } from './harness.ts'

// Status pages, badges and share links as people without an account meet them, on the whole
// system (real auth, poller, kick-sim, PostgreSQL and nats-server). Streamers change state in
// kick-sim and reach the pages through the poller, like in production.

let h: GatewayHarness
let user: Client
let A: string, B: string, C: string, D: string

beforeAll(async () => {
  // Loopback is a trusted proxy here: its X-Forwarded-For names the client (rate limits per client).
  h = await startGatewayHarness({ channels: 6, config: { TRUSTED_PROXIES: '127.0.0.1' } })
  ;[A, B, C, D] = h.slugs() as [string, string, string, string]
  for (const s of [A, B, C, D]) await h.monitor(s)
  user = await h.user('user')
  await h.assign(user.id, [A, B])
  // A and B on the team page (viewers shown); C on a page without viewers; D on no page at all.
  expect((await createPage({ slug: 'team', title: 'The <team>', description: 'who is on', streamers: [A, B], show_viewers: true, show_history: true, embed_origins: ['http://127.0.0.2:1234'] })).status).toBe(201)
  expect((await createPage({ slug: 'quiet', title: 'Quiet', streamers: [C], show_viewers: false, show_history: false })).status).toBe(201)
}, 90_000)
afterAll(async () => {
  await h?.stop()
})

const createPage = (page: Record<string, unknown>) => h.admin.fetch('/api/v1/status-pages', { method: 'POST', json: page })
/** As an anonymous visitor (no cookie), through the listening port, from 127.0.0.1. */
const visit = (path: string, init: RequestInit = {}) => fetch(h.base + path, init)

type Socket = { ws: WebSocket; messages: string[]; closed: Promise<{ code: number }>; text: () => string }
async function socket(path: string, headers: Record<string, string> = {}): Promise<Socket> {
  const ws = new WebSocket(h.base.replace('http', 'ws') + path, { headers } as never)
  const messages: string[] = []
  ws.onmessage = (e) => messages.push(String(e.data))
  const closed = new Promise<{ code: number }>((r) => (ws.onclose = (e) => r({ code: e.code })))
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)))
  return { ws, messages, closed, text: () => messages.join('') }
}

describe('status pages', () => {
  test('a page shows only its streamers, in HTML and JSON, escapes what it shows, and sets no cookie', async () => {
    const r = await visit('/p/team', { headers: { cookie: user.cookie } })
    expect(r.status).toBe(200)
    expect(r.headers.get('set-cookie')).toBeNull()
    const body = await r.text()
    expect(body).toContain(`id="pr-${A}"`)
    expect(body).toContain(`id="pr-${B}"`)
    expect(body).not.toContain(`pr-${C}`)
    expect(body).not.toContain(`pr-${D}`)
    expect(body).toContain('The &lt;team&gt;')
    expect(body).not.toContain('csrf')

    const j = await visit('/p/team.json')
    expect(j.headers.get('access-control-allow-origin')).toBe('*')
    const json = (await j.json()) as { page: { slug: string }; streamers: { slug: string; viewers?: number }[] }
    expect(json.page.slug).toBe('team')
    expect(json.streamers.map((s) => s.slug)).toEqual([A, B])
    // A page without viewers does not publish them anywhere.
    const quiet = (await (await visit('/p/quiet.json')).json()) as { streamers: Record<string, unknown>[] }
    expect(quiet.streamers.map((s) => s.slug)).toEqual([C])
    expect('viewers' in quiet.streamers[0]!).toBe(false)
    expect('last_stream' in quiet.streamers[0]!).toBe(false)
  })

  test('an unknown page is 404 in every form', async () => {
    expect((await visit('/p/nope')).status).toBe(404)
    expect((await visit('/p/nope.json')).status).toBe(404)
    expect((await visit('/p/nope/embed')).status).toBe(404)
    expect((await visit('/p/..%2Fadmin')).status).toBe(404)
    await expect(socket('/p/nope/live')).rejects.toBeDefined()
  })

  test('bad definitions are refused naming the field; a page lists monitored streamers only', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ slug: 'Has Spaces', title: 't', streamers: [A], show_viewers: true, show_history: true }, 'slug:'],
      [{ slug: 'x1', title: '', streamers: [A], show_viewers: true, show_history: true }, 'title:'],
      [{ slug: 'x2', title: 't', streamers: [], show_viewers: true, show_history: true }, 'streamers:'],
      [{ slug: 'x3', title: 't', streamers: [A], show_history: true }, 'show_viewers:'],
      [{ slug: 'x4', title: 't', streamers: [A], show_viewers: true, show_history: true, embed_origins: ['javascript:alert(1)'] }, 'embed_origins.0:'],
      [{ slug: 'x5', title: 't', streamers: ['not-monitored-xyz'], show_viewers: true, show_history: true }, 'streamers:'],
    ]
    for (const [page, field] of cases) {
      const r = await createPage(page)
      expect(r.status).toBe(422)
      expect(((await r.json()) as { error: { message: string } }).error.message).toStartWith(field)
    }
    expect((await createPage({ slug: 'team', title: 't', streamers: [A], show_viewers: true, show_history: true })).status).toBe(409)
    const list = (await (await h.admin.fetch('/api/v1/status-pages')).json()) as { slug: string }[]
    expect(list.map((p) => p.slug).sort()).toEqual(['quiet', 'team'])
    // Only admins define pages.
    expect((await user.fetch('/api/v1/status-pages')).status).toBe(403)
  })

  test('rendered once per change, whatever the number of requests; ETag answers 304', async () => {
    const pages = h.gw.result.deps.pub.pages
    await visit('/p/team')
    const before = pages.renders
    const answers = await Promise.all(Array.from({ length: 30 }, () => visit('/p/team').then((r) => r.text())))
    expect(new Set(answers).size).toBe(1)
    expect(pages.renders).toBe(before)
    const etag = (await visit('/p/team')).headers.get('etag')!
    const again = await visit('/p/team', { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(again.headers.get('cache-control')).toContain('max-age=')
  })

  test('the live feed sends only the page’s streamers, and a change of one of them to every viewer', async () => {
    const viewers = await Promise.all([socket('/p/team/live'), socket('/p/team/live', { cookie: user.cookie }), socket('/p/team/live')])
    await eventually(() => viewers.every((v) => v.text().includes(`id="pr-${A}"`)), 5000, 'snapshots')
    for (const v of viewers) expect(v.text()).not.toContain(`pr-${D}`)
    const renders = h.gw.result.deps.pub.pages.renders
    h.env.sim.world.update(D, { live: true, viewers: 4321, title: 'not on the page' })
    h.env.sim.world.update(A, { live: true, viewers: 1234, title: 'on the page' })
    await eventually(() => viewers.every((v) => v.text().includes('on the page') && v.text().includes('1,234')), 10_000, 'A live on every viewer')
    for (const v of viewers) {
      expect(v.text()).not.toContain('not on the page')
      expect(v.text()).not.toContain(`pr-${D}`)
    }
    // Three viewers, one render of the change (a few if the poller split it over several readings).
    expect(h.gw.result.deps.pub.pages.renders - renders).toBeLessThan(6)
    for (const v of viewers) v.ws.close()
  })

  test('the embed may be framed by the page’s own origins only; the page itself by nobody', async () => {
    const embed = await visit('/p/team/embed')
    expect(embed.status).toBe(200)
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors http://127.0.0.2:1234')
    expect(embed.headers.get('x-frame-options')).toBeNull()
    const quietEmbed = await visit('/p/quiet/embed')
    expect(quietEmbed.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    const full = await visit('/p/team')
    expect(full.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(full.headers.get('x-frame-options')).toBe('DENY')
  })

  test('deleting a page ends its open feeds and its address', async () => {
    expect((await createPage({ slug: 'short-lived', title: 'Short', streamers: [B], show_viewers: true, show_history: false })).status).toBe(201)
    const s = await socket('/p/short-lived/live')
    await eventually(() => s.text().includes(`pr-${B}`), 5000, 'snapshot')
    expect((await h.admin.fetch('/api/v1/status-pages/short-lived', { method: 'DELETE' })).status).toBe(204)
    expect((await s.closed).code).toBe(4410)
    expect(s.text()).toContain('no longer exists')
    expect((await visit('/p/short-lived')).status).toBe(404)
  })
})

describe('badges', () => {
  test('a listed streamer has a badge; an unlisted one gets exactly the unknown slug’s badge', async () => {
    await eventually(async () => (await (await visit(`/badge/${A}.svg`)).text()).includes('1,234 viewers'), 10_000, 'A live badge')
    const a = await visit(`/badge/${A}.svg`)
    expect(a.headers.get('content-type')).toStartWith('image/svg+xml')
    expect(a.headers.get('cache-control')).toMatch(/max-age=\d\b/)
    expect(a.headers.get('etag')).toBeTruthy()
    expect(a.headers.get('set-cookie')).toBeNull()
    expect(await a.text()).toContain('live · 1,234 viewers')
    // C is on a page that hides viewers: live or not, never a count.
    h.env.sim.world.update(C, { live: true, viewers: 999 })
    await eventually(async () => (await (await visit(`/badge/${C}.svg`)).text()).includes('>live<'), 10_000, 'C live badge')
    expect(await (await visit(`/badge/${C}.svg`)).text()).not.toContain('999')

    // D is monitored (and live) but on no page: its badge is byte for byte the one it gets once
    // nobody monitors it at all.
    const queries = ['', '?style=for-the-badge', '?label=status']
    const hidden = await Promise.all(queries.map(async (q) => (await visit(`/badge/${D}.svg${q}`)).text()))
    for (const b of hidden) {
      expect(b.toLowerCase()).toContain('not found')
      expect(b).not.toContain('4,321')
    }
    expect((await h.admin.fetch(`/api/v1/streamers/${D}`, { method: 'DELETE' })).status).toBe(204)
    await eventually(() => h.statuses.get(D) === null, 10_000, `${D} gone from the gateway`)
    const unknown = await Promise.all(queries.map(async (q) => (await visit(`/badge/${D}.svg${q}`)).text()))
    expect(unknown).toEqual(hidden)
  })

  test('?style= and ?label= like Shields; an unknown style falls back to flat; 304 on a matching ETag', async () => {
    const plain = await (await visit(`/badge/${A}.svg`)).text()
    const big = await (await visit(`/badge/${A}.svg?style=for-the-badge&label=now`)).text()
    expect(big).not.toBe(plain)
    expect(big).toContain('NOW')
    expect(await (await visit(`/badge/${A}.svg?style=<script>`)).text()).toBe(plain)
    const etag = (await visit(`/badge/${A}.svg`)).headers.get('etag')!
    expect((await visit(`/badge/${A}.svg`, { headers: { 'if-none-match': etag } })).status).toBe(304)
  })
})

describe('share links', () => {
  const share = (c: Client, target: unknown, expires_in = 600) => c.fetch('/api/v1/share-links', { method: 'POST', json: { target, expires_in } })
  const tokenOf = (url: string) => new URL(url).pathname.slice(3)

  test('a user shares a streamer they see; the link shows it read-only, without cookies', async () => {
    const r = await share(user, { type: 'streamer', slug: A })
    expect(r.status).toBe(201)
    const { url, id } = (await r.json()) as { url: string; id: string }
    expect(url).toStartWith(`${h.base}/s/`)
    const page = await visit(new URL(url).pathname)
    expect(page.status).toBe(200)
    expect(page.headers.get('set-cookie')).toBeNull()
    expect(page.headers.get('cache-control')).toContain('no-store')
    const body = await page.text()
    expect(body).toContain(`pr-${A}`)
    expect(body).not.toContain(`pr-${B}`)
    // A streamer's link is its page: its streams too (A has been live since an earlier test).
    await eventually(async () => (await (await visit(new URL(url).pathname)).text()).includes('past streams'), 10_000, 'past streams on the shared page')
    const listed = (await (await user.fetch('/api/v1/share-links')).json()) as { id: string; url: string }[]
    expect(listed.map((l) => l.id)).toContain(id)
  })

  test('never for a streamer the user cannot see; at most 30 days; a bad target names the field', async () => {
    expect((await share(user, { type: 'streamer', slug: C })).status).toBe(404)
    expect((await share(user, { type: 'view', slugs: [A, D] })).status).toBe(404)
    const long = await share(user, { type: 'streamer', slug: A }, 31 * 86_400)
    expect(long.status).toBe(422)
    expect(((await long.json()) as { error: { message: string } }).error.message).toStartWith('expires_in:')
    const bad = await share(user, { type: 'dashboard' })
    expect(bad.status).toBe(422)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toStartWith('target')
  })

  test('tampered, revoked, expired, creator downgraded or streamer unassigned: the same plain "expired" page', async () => {
    const make = async (c: Client, target: unknown) => {
      const r = await share(c, target)
      expect(r.status).toBe(201)
      return (await r.json()) as { url: string; id: string }
    }
    const good = await make(user, { type: 'view', slugs: [A, B], title: 'duo' })
    const goodPage = await visit(new URL(good.url).pathname)
    expect(goodPage.status).toBe(200)
    const expiredBody = async (path: string) => {
      const r = await visit(path)
      expect(r.status).toBe(410)
      return r.text()
    }
    const reference = await expiredBody('/s/not-a-token')
    expect(reference).toContain('This link has expired')

    // Tampered: another signature, or a payload changed under the old signature.
    const [head, payload, sig] = tokenOf(good.url).split('.') as [string, string, string]
    expect(await expiredBody(`/s/${head}.${payload}.${sig.slice(0, -2)}AA`)).toBe(reference)
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, tgt: { type: 'view', slugs: [A, B, C] } })).toString('base64url')
    expect(await expiredBody(`/s/${head}.${forged}.${sig}`)).toBe(reference)
    // alg "none" is never accepted.
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
    expect(await expiredBody(`/s/${none}.${payload}.`)).toBe(reference)

    const revoked = await make(user, { type: 'streamer', slug: A })
    expect((await user.fetch(`/api/v1/share-links/${revoked.id}`, { method: 'DELETE' })).status).toBe(204)
    expect(await expiredBody(new URL(revoked.url).pathname)).toBe(reference)

    const expired = await make(user, { type: 'streamer', slug: A })
    await h.env.db.sql`update share_links set expires_at = now() - interval '1 second' where id = ${expired.id}`
    expect(await expiredBody(new URL(expired.url).pathname)).toBe(reference)

    // A second user: their links stop when B is taken from them, and all of them when they are downgraded.
    const other = await h.user('user')
    await h.assign(other.id, [A, B])
    const aLink = await make(other, { type: 'streamer', slug: A })
    const bLink = await make(other, { type: 'streamer', slug: B })
    await h.assign(other.id, [A])
    expect(await expiredBody(new URL(bLink.url).pathname)).toBe(reference)
    expect((await visit(new URL(aLink.url).pathname)).status).toBe(200)
    expect((await h.admin.fetch(`/api/v1/users/${other.id}`, { method: 'PATCH', json: { role: 'viewer' } })).status).toBe(200)
    expect(await expiredBody(new URL(aLink.url).pathname)).toBe(reference)
  })

  test('an open share feed ends at once when its link is revoked, or its creator loses the streamer or is deleted', async () => {
    const third = await h.user('user')
    await h.assign(third.id, [A, B])
    const make = async (target: unknown) => (await (await share(third, target)).json()) as { url: string; id: string }
    const revoked = await make({ type: 'streamer', slug: A })
    const unassigned = await make({ type: 'streamer', slug: B })
    const deleted = await make({ type: 'streamer', slug: A })
    const open = async (url: string) => {
      const s = await socket(`${new URL(url).pathname}/live`)
      await eventually(() => s.text().includes('p-rows'), 5000, 'share snapshot')
      return s
    }
    const s1 = await open(revoked.url)
    const s2 = await open(unassigned.url)
    expect((await third.fetch(`/api/v1/share-links/${revoked.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await s1.closed).code).toBe(4410)
    expect(s1.text()).toContain('This link has expired')

    await h.assign(third.id, [A])
    expect((await s2.closed).code).toBe(4410)

    const s3 = await open(deleted.url)
    expect((await h.admin.fetch(`/api/v1/users/${third.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await s3.closed).code).toBe(4410)
    // A dead link's feed is refused on upgrade too.
    await expect(socket(`${new URL(deleted.url).pathname}/live`)).rejects.toBeDefined()
  })
})

describe('rate limits', () => {
  type Limit = GatewayHarness['gw']['result']['deps']['pub']['limit']
  /** Runs `check` with the public routes' limits set to `limits` and every budget full, then puts the old limits back. */
  async function withLimits(limits: Limit['limits'], check: (limit: Limit) => Promise<void>) {
    const limit = h.gw.result.deps.pub.limit
    const saved = limit.limits
    limit.reset()
    limit.limits = limits
    try {
      await check(limit)
    } finally {
      limit.limits = saved
      limit.reset()
    }
  }

  test('each address has its own budget on the public routes; past it 429 with Retry-After', async () => {
    await withLimits({ burst: 5, perSecond: 0.001, sockets: 2 }, async (limit) => {
      const codes = []
      for (let i = 0; i < 7; i++) codes.push((await visit(i % 2 ? `/badge/${A}.svg` : '/p/team')).status)
      expect(codes.slice(0, 5).every((c) => c === 200)).toBe(true)
      const last = await visit('/p/team.json')
      expect(last.status).toBe(429)
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await last.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED')
      // The signed-in app is not counted against it.
      expect((await user.fetch('/api/v1/streamers')).status).toBe(200)

      // Live feeds: at most `sockets` open per address.
      limit.reset()
      limit.limits = { burst: 100, perSecond: 100, sockets: 2 }
      const a = await socket('/p/team/live')
      const b = await socket('/p/team/live')
      expect(limit.openFrom('127.0.0.1')).toBe(2) // counted against the client's own address
      const c = await socket('/p/team/live')
      expect((await c.closed).code).toBe(1013)
      a.ws.close()
      b.ws.close()
    })
  })

  test('a live feed\'s upgrade counts once against the budget; refusals are 404, 410 and 429 with Retry-After', async () => {
    const r = await user.fetch('/api/v1/share-links', { method: 'POST', json: { target: { type: 'streamer', slug: A }, expires_in: 600 } })
    const shared = new URL(((await r.json()) as { url: string }).url).pathname
    await withLimits({ burst: 4, perSecond: 0.001, sockets: 10 }, async (limit) => {
      const status = async (path: string) => (await upgradeAnswer(h.base, path)).status
      expect(await status('/p/nope/live')).toBe(404)
      expect(await status('/s/garbage/live')).toBe(410)
      expect(await status('/p/team/live')).toBe(101)
      expect(await status(`${shared}/live`)).toBe(101)
      // Four upgrades, four of the burst: the fifth is refused before anything is looked up.
      const over = await upgradeAnswer(h.base, '/p/team/live')
      expect(over.status).toBe(429)
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
      expect((JSON.parse(over.body) as { error: { code: string } }).error.code).toBe('RATE_LIMITED')
      await eventually(() => limit.openFrom('127.0.0.1') === 0, 5000, 'the closed feeds given back')
    })
  })

  test('behind a trusted proxy each client has its own budget; from anyone else X-Forwarded-For is not believed', async () => {
    await withLimits({ burst: 2, perSecond: 0.001, sockets: 5 }, async () => {
      const viaProxy = (client: string) => visit('/p/team.json', { headers: { 'x-forwarded-for': client } }).then((r) => r.status)
      expect([await viaProxy('203.0.113.1'), await viaProxy('203.0.113.1'), await viaProxy('203.0.113.1')]).toEqual([200, 200, 429])
      expect(await viaProxy('203.0.113.2')).toBe(200)
      // No trusted peer (app.handle has no socket): naming a fresh address each time does not buy a new budget.
      const spoofed = (client: string) => h.handle('/p/team.json', { headers: { 'x-forwarded-for': client } }).then((r) => r.status)
      expect([await spoofed('198.51.100.1'), await spoofed('198.51.100.2'), await spoofed('198.51.100.3')]).toEqual([200, 200, 429])
    })
  })
})
