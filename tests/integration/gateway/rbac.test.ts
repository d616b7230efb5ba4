import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { startGatewayHarness, type Client, type GatewayHarness } from './harness.ts'

// Role × route × object: every route the gateway serves has an entry here saying who gets
// what, for which object (deny by default). A route without an entry fails the first test,
// so a new route cannot ship without its access rules being written down and checked.
//
// Objects: streamers A and B are assigned to the user, A also to the viewer, C to nobody;
// D, E, F are not monitored at first (for adds). Mutating cases use throwaway users and
// streamers, and run after every read so they cannot change a read's answer.

type Who = 'anon' | 'viewer' | 'user' | 'admin' | 'userReadKey' | 'userWriteKey' | 'adminReadKey'
type Case = {
  who: Who
  /** Concrete path; `{A}`…`{F}` are streamer slugs, `{viewer}` `{user}` `{admin}` `{t1}`… user ids, `{key:user}` a key id, `{sess:*}` a session id. */
  path: string
  json?: unknown
  form?: Record<string, string | string[]>
  /** Leave the CSRF token off (cookie callers). */
  noCsrf?: boolean
  expect: number
}
type Entry = Case[] | ((h: GatewayHarness) => Promise<void>)

let h: GatewayHarness
let viewer: Client, user: Client, other: Client, t: Client[]
let keys: Record<'userReadKey' | 'userWriteKey' | 'adminReadKey', string>
let slug: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H', string>
const ids: Record<string, string> = {}

const A = '{A}', B = '{B}', C = '{C}'
const HOOK = { type: 'webhook', name: 'rbac hook', config: { url: 'http://127.0.0.1:9/hook' } }

const TABLE: Record<string, Entry> = {
  // ---------------------------------------------------------------- public and plumbing
  'GET /healthz': cases('/healthz', ['anon', 200]),
  'GET /readyz': cases('/readyz', ['anon', 200]),
  'GET /metrics': cases('/metrics', ['anon', 200]),
  'GET /assets/:file': cases('/assets/app.css', ['anon', 200], ['anon', 404, { path: '/assets/..%2Fpackage.json' }], ['anon', 404, { path: '/assets/constructor' }]),
  'POST /webhooks/kick': async (h) => {
    // Kick's deliveries are signed; an unsigned one is refused before anything else.
    const r = await h.handle('/webhooks/kick', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.status).toBeLessThan(500)
  },
  'GET /api/v1/openapi.json': cases('/api/v1/openapi.json', ['anon', 200]),
  'GET /login': cases('/login', ['anon', 200], ['viewer', 303]),
  'GET /media/:kind/:slug': cases(
    '/media/avatar/{A}',
    ['anon', 401], ['viewer', 200], ['viewer', 200, { path: '/media/banner/{A}' }], ['viewer', 404, { path: '/media/avatar/{B}' }],
    ['user', 404, { path: '/media/avatar/{C}' }], ['admin', 200, { path: '/media/avatar/{C}' }], ['admin', 404, { path: '/media/thumbnail/{C}' }],
  ),
  'WS /ws': async (h) => {
    // Real sockets: refused without a session; with one, only what the session may see.
    const url = h.base.replace('http', 'ws') + '/ws'
    const refused = await wsOutcome(new WebSocket(url))
    expect(refused.opened).toBe(false)
    const got = await wsOutcome(new WebSocket(url, { headers: { cookie: viewer.cookie } } as never), 1500)
    expect(got.opened).toBe(true)
    const text = got.messages.join('')
    expect(text).toContain(`id="row-${slug.A}"`)
    expect(text).not.toContain(`id="row-${slug.B}"`)
    expect(text).not.toContain(`id="row-${slug.C}"`)
    const page = await wsOutcome(new WebSocket(`${url}?slug=${slug.C}`, { headers: { cookie: viewer.cookie } } as never), 1500)
    expect(page.messages.join('')).not.toContain(`id="row-${slug.C}"`)
    const cross = await wsOutcome(new WebSocket(url, { headers: { cookie: viewer.cookie, origin: 'https://evil.example' } } as never))
    expect(cross.opened).toBe(false)
  },

  // ---------------------------------------------------------------- auth
  'POST /api/v1/auth/login': cases(
    '/api/v1/auth/login',
    ['anon', 401, { json: { username: 'admin', password: 'wrong password' } }],
    ['anon', 401, { json: { username: 'nobody-at-all', password: 'wrong password' } }], ['anon', 422, { json: { username: '' } }],
  ),
  'POST /api/v1/auth/logout': cases('/api/v1/auth/logout', ['anon', 401], ['userWriteKey', 400], ['viewer', 403, { noCsrf: true }]),
  'POST /login': cases('/login', ['anon', 401, { form: { username: 'admin', password: 'nope-nope' } }], ['anon', 422, { form: { username: '' } }]),
  'POST /logout': cases({ path: '/logout', form: {} }, ['anon', 303]),

  // ---------------------------------------------------------------- streamers API
  'GET /api/v1/streamers': [
    { who: 'anon', path: '/api/v1/streamers', expect: 401 },
    ...(['viewer', 'user', 'admin', 'userReadKey', 'adminReadKey'] as Who[]).map((who) => ({ who, path: '/api/v1/streamers', expect: 200 })),
    { who: 'viewer', path: '/api/v1/streamers?archived=true', expect: 403 },
    { who: 'user', path: '/api/v1/streamers?archived=true', expect: 403 },
    { who: 'adminReadKey', path: '/api/v1/streamers?archived=true', expect: 200 },
    { who: 'admin', path: '/api/v1/streamers?archived=maybe', expect: 422 },
    { who: 'admin', path: '/api/v1/streamers?archived=true&live=true', expect: 422 },
  ],
  'GET /api/v1/streamers/:slug': objectCases('/api/v1/streamers/{s}'),
  'GET /api/v1/streamers/:slug/profile': objectCases('/api/v1/streamers/{s}/profile'),
  'GET /api/v1/streamers/:slug/events': objectCases('/api/v1/streamers/{s}/events'),
  'GET /api/v1/streamers/:slug/viewers': objectCases('/api/v1/streamers/{s}/viewers'),
  'GET /api/v1/streamers/:slug/sessions': objectCases('/api/v1/streamers/{s}/sessions'),
  'GET /api/v1/stream': cases('/api/v1/stream', ['anon', 401], ['viewer', 200], ['userReadKey', 200]),
  'POST /api/v1/streamers': cases(
    { path: '/api/v1/streamers', json: { slug: '{D}' } },
    ['anon', 401], ['viewer', 403], ['userReadKey', 403], ['user', 403, { noCsrf: true }], ['user', 422, { json: { slug: 'Not A Slug!' } }],
    ['user', 404, { json: { slug: 'no-such-channel' } }], ['user', 201], ['userWriteKey', 201, { json: { slug: '{E}' } }],
    ['admin', 201, { json: { slug: '{F}' } }],
  ),
  'DELETE /api/v1/streamers/:slug': cases(
    '/api/v1/streamers/{D}',
    ['anon', 401], ['viewer', 403, { path: '/api/v1/streamers/{A}' }], ['user', 404, { path: '/api/v1/streamers/{C}' }], // not on their list
    ['userReadKey', 403], ['user', 204], // their own assignment
    ['admin', 204, { path: '/api/v1/streamers/{F}' }], // archived
    ['admin', 404, { path: '/api/v1/streamers/{F}' }],
  ),
  'POST /api/v1/streamers/:slug/purge': cases(
    '/api/v1/streamers/{F}/purge',
    ['anon', 401], ['viewer', 404], ['user', 403], ['userWriteKey', 403], ['adminReadKey', 403], ['admin', 403, { noCsrf: true }],
    ['admin', 409, { path: '/api/v1/streamers/{A}/purge' }], // still monitored
    ['admin', 404, { path: '/api/v1/streamers/never-monitored/purge' }], ['admin', 422, { path: '/api/v1/streamers/Not%20A%20Slug/purge' }],
    ['admin', 200], ['admin', 404],
  ),

  // ---------------------------------------------------------------- users API
  'GET /api/v1/users': cases(
    '/api/v1/users',
    ['anon', 401], ['viewer', 403], ['user', 403], ['userReadKey', 403], ['admin', 200], ['adminReadKey', 200, { path: '/api/v1/users?limit=1' }],
    ['admin', 422, { path: '/api/v1/users?limit=0' }],
  ),
  'POST /api/v1/users': cases(
    { path: '/api/v1/users', json: { username: 'x1', password: 'long-enough-1', role: 'viewer' } },
    ['user', 403], ['adminReadKey', 403], ['admin', 403, { noCsrf: true }],
    ['admin', 422, { json: { username: 'x1', password: 'short', role: 'viewer' } }],
    ['admin', 422, { json: { username: 'x1', password: 'long-enough-1', role: 'boss' } }], ['admin', 201],
    ['admin', 409, { json: { username: 'X1', password: 'long-enough-1', role: 'viewer' } }],
  ),
  'GET /api/v1/users/:id': cases(
    '/api/v1/users/{viewer}',
    ['viewer', 200], ['viewer', 403, { path: '/api/v1/users/{user}' }], ['userReadKey', 200, { path: '/api/v1/users/{user}' }], ['admin', 200],
    ['admin', 404, { path: '/api/v1/users/999999' }], ['admin', 422, { path: '/api/v1/users/abc' }],
  ),
  'PATCH /api/v1/users/:id': cases(
    { path: '/api/v1/users/{viewer}', json: { display_name: 'x' } },
    ['viewer', 200, { json: { display_name: 'Vee' } }], ['viewer', 403, { json: { role: 'admin' } }], ['viewer', 403, { path: '/api/v1/users/{user}' }],
    ['userReadKey', 403, { path: '/api/v1/users/{user}' }], ['admin', 422, { path: '/api/v1/users/{t1}', json: { wat: 1 } }],
    ['admin', 200, { path: '/api/v1/users/{t1}', json: { role: 'user' } }],
  ),
  'DELETE /api/v1/users/:id': cases('/api/v1/users/{t2}', ['user', 403], ['admin', 204], ['admin', 404]),
  'POST /api/v1/users/:id/password': cases(
    { path: '/api/v1/users/{t3}/password', json: { password: 'new-password-9' } },
    ['user', 403], ['t3' as Who, 422], // needs current_password
    ['t3' as Who, 422, { json: { password: 'new-password-9', current_password: 'wrong' } }],
    ['t3' as Who, 200, { json: { password: 'new-password-9', current_password: 'user-password-1' } }],
    ['admin', 200, { json: { password: 'reset-password-9' } }],
  ),
  'GET /api/v1/users/:id/streamers': cases('/api/v1/users/{viewer}/streamers', ['user', 200, { path: '/api/v1/users/{user}/streamers' }], ['user', 403], ['admin', 200]),
  'PUT /api/v1/users/:id/streamers': cases(
    '/api/v1/users/{t1}/streamers',
    ['user', 403, { path: '/api/v1/users/{user}/streamers', json: { slugs: ['{C}'] } }], ['admin', 422, { json: { slugs: ['never-monitored'] } }],
    ['admin', 200, { json: { slugs: ['{A}', '{C}'] } }],
  ),

  // ---------------------------------------------------------------- account API
  'GET /api/v1/me': cases('/api/v1/me', ['anon', 401], ['viewer', 200], ['userReadKey', 200]),
  'GET /api/v1/sessions': cases('/api/v1/sessions', ['anon', 401], ['viewer', 200]),
  'DELETE /api/v1/sessions/:id': cases(
    '/api/v1/sessions/{sess:other}',
    ['viewer', 404], // someone else's
    ['viewer', 422, { path: '/api/v1/sessions/not-an-id' }], ['admin', 204],
  ),
  'GET /api/v1/api-keys': cases('/api/v1/api-keys', ['viewer', 200], ['anon', 401]),
  'POST /api/v1/api-keys': cases(
    '/api/v1/api-keys',
    ['viewer', 201, { json: { name: 'mine', scope: 'read' } }], ['userWriteKey', 403, { json: { name: 'from a key', scope: 'read' } }],
    ['viewer', 422, { json: { name: 'x', scope: 'root' } }],
  ),
  'DELETE /api/v1/api-keys/:id': cases(
    '/api/v1/api-keys/{key:user}',
    ['viewer', 404], // not theirs
    ['userReadKey', 403],
  ),
  'GET /api/v1/audit': cases('/api/v1/audit', ['user', 403], ['admin', 200, { path: '/api/v1/audit?limit=5' }], ['admin', 422, { path: '/api/v1/audit?action=DROP' }]),
  'GET /api/v1/health': cases('/api/v1/health', ['user', 403], ['admin', 200], ['anon', 401]),

  // ---------------------------------------------------------------- status pages, share links (API)
  'GET /api/v1/status-pages': cases('/api/v1/status-pages', ['anon', 401], ['viewer', 403], ['user', 403], ['userReadKey', 403], ['admin', 200], ['adminReadKey', 200]),
  'POST /api/v1/status-pages': cases(
    { path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true } },
    ['anon', 401], ['user', 403], ['adminReadKey', 403], ['admin', 403, { noCsrf: true }],
    ['admin', 422, { json: { slug: 'rbac', title: 'R', streamers: ['never-monitored'], show_viewers: true, show_history: true } }],
    ['admin', 422, { json: { slug: 'RBAC!', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true } }], ['admin', 201], ['admin', 409],
  ),
  'GET /api/v1/status-pages/:slug': cases(
    '/api/v1/status-pages/pub',
    ['user', 403], ['admin', 200], ['admin', 404, { path: '/api/v1/status-pages/nope' }], ['admin', 422, { path: '/api/v1/status-pages/NO%20PE' }],
  ),
  'PATCH /api/v1/status-pages/:slug': cases(
    '/api/v1/status-pages/rbac',
    ['user', 403, { json: { title: 'x' } }], ['admin', 422, { json: { streamers: ['never-monitored'] } }], ['admin', 200, { json: { title: 'Renamed' } }],
  ),
  'DELETE /api/v1/status-pages/:slug': cases('/api/v1/status-pages/rbac', ['user', 403], ['admin', 204], ['admin', 404]),
  'GET /api/v1/share-links': cases('/api/v1/share-links', ['anon', 401], ['viewer', 200], ['userReadKey', 200, { path: '/api/v1/share-links?include_revoked=true' }]),
  'POST /api/v1/share-links': cases(
    { path: '/api/v1/share-links', json: { target: { type: 'streamer', slug: '{A}' }, expires_in: 600 } },
    ['anon', 401], ['viewer', 201], ['viewer', 404, { json: { target: { type: 'streamer', slug: '{B}' }, expires_in: 600 } }],
    ['user', 404, { json: { target: { type: 'view', slugs: ['{A}', '{C}'] }, expires_in: 600 } }],
    ['user', 403, { json: { target: { type: 'view', slugs: ['{A}', '{B}'] }, expires_in: 600 }, noCsrf: true }], ['userReadKey', 403],
    ['user', 422, { json: { target: { type: 'streamer', slug: '{A}' }, expires_in: 40 * 86_400 } }],
    ['userWriteKey', 201, { json: { target: { type: 'view', slugs: ['{A}', '{B}'] }, expires_in: 600 } }],
    ['admin', 201, { json: { target: { type: 'streamer', slug: '{C}' }, expires_in: 600 } }],
  ),
  'DELETE /api/v1/share-links/:id': cases(
    '/api/v1/share-links/00000000-0000-4000-8000-000000000000',
    ['viewer', 404], ['viewer', 422, { path: '/api/v1/share-links/not-an-id' }], ['userReadKey', 403],
  ),

  // ---------------------------------------------------------------- public routes (no account)
  'GET /p/:slug': async (h) => {
    // The page 'pub' (made in beforeAll) lists A only: anyone sees it, nobody sees more.
    const page = await h.handle('/p/pub', { headers: { cookie: viewer.cookie } })
    expect(page.status).toBe(200)
    const body = await page.text()
    expect(body).toContain(`pr-${slug.A}`)
    expect(body).not.toContain(`pr-${slug.B}`)
    expect((await h.handle('/p/pub.json')).status).toBe(200)
    expect((await h.handle('/p/nope')).status).toBe(404)
  },
  'GET /p/:slug/embed': cases('/p/pub/embed', ['anon', 200], ['anon', 404, { path: '/p/nope/embed' }]),
  'WS /p/:slug/live': async (h) => {
    const url = h.base.replace('http', 'ws') + '/p/pub/live'
    const got = await wsOutcome(new WebSocket(url), 1500)
    expect(got.opened).toBe(true)
    expect(got.messages.join('')).toContain(`pr-${slug.A}`)
    expect(got.messages.join('')).not.toContain(`pr-${slug.B}`)
    expect((await wsOutcome(new WebSocket(url.replace('/pub/', '/nope/')))).opened).toBe(false)
  },
  'GET /badge/:file': async (h) => {
    // A is on a public page; B is monitored but on none: the unknown slug's badge.
    expect((await (await h.handle(`/badge/${slug.A}.svg`)).text()).toLowerCase()).not.toContain('not found')
    expect((await (await h.handle(`/badge/${slug.B}.svg`)).text()).toLowerCase()).toContain('not found')
  },
  'GET /s/:token': async (h) => {
    const r = await viewer.fetch('/api/v1/share-links', { method: 'POST', json: { target: { type: 'streamer', slug: slug.A }, expires_in: 600 } })
    const { url } = (await r.json()) as { url: string }
    ids['share:viewer'] = new URL(url).pathname
    expect((await h.handle(new URL(url).pathname)).status).toBe(200)
    expect((await h.handle('/s/garbage')).status).toBe(410)
  },
  'WS /s/:token/live': async (h) => {
    const got = await wsOutcome(new WebSocket(h.base.replace('http', 'ws') + ids['share:viewer'] + '/live'), 1500)
    expect(got.opened).toBe(true)
    expect(got.messages.join('')).toContain(`pr-${slug.A}`)
    expect((await wsOutcome(new WebSocket(h.base.replace('http', 'ws') + '/s/garbage/live'))).opened).toBe(false)
  },

  // ---------------------------------------------------------------- pages and their fragments
  'GET /': cases('/', ['anon', 303], ['viewer', 200], ['admin', 200, { path: '/?sort=name&group=state&live=1' }], ['viewer', 422, { path: '/?sort=evil' }]),
  'POST /streamers': cases('/streamers', ['viewer', 403, { form: { slug: '{G}' } }], ['user', 200, { form: { slug: 'https://kick.com/{G}' } }]),
  'GET /streamers/:slug': objectCases('/streamers/{s}', 303),
  'GET /streamers/:slug/sessions': objectCases('/streamers/{s}/sessions'),
  'GET /streamers/:slug/timeline': objectCases('/streamers/{s}/timeline'),
  'GET /streamers/:slug/viewers.csv': objectCases('/streamers/{s}/viewers.csv'),
  'GET /streamers/:slug/sessions.csv': objectCases('/streamers/{s}/sessions.csv'),
  'DELETE /streamers/:slug': cases('/streamers/{A}', ['viewer', 403], ['user', 200, { path: '/streamers/{G}' }]),
  'GET /admin/users': roleCases('/admin/users', 303),
  'POST /admin/users': cases(
    { path: '/admin/users', form: { username: 'x2', password: 'long-enough-2', role: 'viewer' } },
    ['user', 403], ['admin', 403, { noCsrf: true }],
    ['admin', 201, { form: { username: 'x2', password: 'long-enough-2', role: 'viewer', display_name: '' } }],
  ),
  'PATCH /admin/users/:id': cases({ path: '/admin/users/{t4}', form: { disabled: 'true' } }, ['user', 403], ['admin', 422, { form: {} }], ['admin', 200]),
  'POST /admin/users/:id/password': cases({ path: '/admin/users/{t4}/password', form: { password: 'fresh-password-1' } }, ['user', 403], ['admin', 200]),
  'GET /admin/users/:id/streamers': cases('/admin/users/{t4}/streamers', ['user', 403], ['admin', 200]),
  'PUT /admin/users/:id/streamers': cases('/admin/users/{t4}/streamers', ['user', 403, { form: { slugs: ['{A}'] } }], ['admin', 200, { form: { slugs: ['{A}', '{B}'], paste: '{C}' } }]),
  'POST /admin/users/bulk-assign': cases(
    '/admin/users/bulk-assign',
    ['user', 403, { form: { user_ids: '{t4}', slugs: '{A}', action: 'add' } }], ['admin', 422, { form: { slugs: '{A}', action: 'add' } }],
    ['admin', 200, { form: { user_ids: ['{t4}', '{t5}'], slugs: '{A}\n{B}', action: 'add' } }],
  ),
  'DELETE /admin/users/:id': cases('/admin/users/{t5}', ['user', 403], ['admin', 200]),
  'GET /admin/streamers': roleCases('/admin/streamers', 303),
  'POST /admin/streamers': cases({ path: '/admin/streamers', form: { slug: '{H}' } }, ['user', 403], ['admin', 404, { form: { slug: 'no-such-channel' } }], ['admin', 201], ['admin', 200]),
  'POST /admin/streamers/import': cases('/admin/streamers/import', ['user', 403, { form: { list: '{H}' } }], ['admin', 200, { form: { list: '{H}\nno-such-channel\nBAD SLUG!' } }]),
  'DELETE /admin/streamers/:slug': cases('/admin/streamers/{H}', ['user', 403], ['admin', 200]),
  'POST /admin/streamers/:slug/purge': cases(
    { path: '/admin/streamers/{H}/purge', form: { confirm: '{H}' } },
    ['user', 403], ['admin', 422, { form: { confirm: 'something-else' } }],
    ['admin', 409, { path: '/admin/streamers/{A}/purge', form: { confirm: '{A}' } }], ['admin', 200],
  ),
  'GET /admin/pages': [...roleCases('/admin/pages', 303), { who: 'admin', path: '/admin/pages?edit=pub', expect: 200 }],
  'POST /admin/pages': cases(
    '/admin/pages',
    ['user', 403, { form: { slug: 'form-page', title: 'F', streamers: '{A}' } }],
    ['admin', 422, { form: { slug: 'form-page', title: 'F', streamers: 'never-monitored' } }],
    ['admin', 422, { form: { slug: 'Form Page', title: 'F', streamers: '{A}' } }],
    ['admin', 201, { form: { slug: 'form-page', title: 'F', streamers: '{A}\n{B}', show_viewers: '1' } }],
    ['admin', 200, { form: { editing: 'form-page', slug: 'form-page', title: 'F2', streamers: '{B}' } }],
  ),
  'DELETE /admin/pages/:slug': cases('/admin/pages/form-page', ['user', 403], ['admin', 200], ['admin', 404]),
  'GET /share': cases('/share', ['anon', 303], ['viewer', 200], ['admin', 200]),
  'POST /share': cases(
    { path: '/share', form: { slugs: '{A}', expires_in: '3600' } },
    ['anon', 401], ['viewer', 404, { form: { slugs: '{B}', expires_in: '3600' } }], ['viewer', 422, { form: { slugs: '{A}', expires_in: '12' } }],
    ['viewer', 403, { noCsrf: true }], ['viewer', 201], ['user', 201, { form: { slugs: ['{A}', '{B}'], title: 'both', expires_in: '86400' } }],
  ),
  'DELETE /share/:id': cases('/share/00000000-0000-4000-8000-000000000000', ['viewer', 404], ['viewer', 422, { path: '/share/nope' }]),
  'GET /account': cases('/account', ['anon', 303], ['viewer', 200]),
  'POST /account/password': cases(
    '/account/password',
    ['anon', 401, { form: {} }],
    ['t6' as Who, 422, { form: { current_password: 'user-password-1', new_password: 'another-pass-1', confirm: 'different-1' } }],
    ['t6' as Who, 200, { form: { current_password: 'user-password-1', new_password: 'another-pass-1', confirm: 'another-pass-1' } }],
  ),
  'DELETE /account/sessions/:id': cases('/account/sessions/{sess:other}', ['viewer', 404]),
  'POST /account/api-keys': cases('/account/api-keys', ['viewer', 201, { form: { name: 'page key', scope: 'read' } }], ['viewer', 422, { form: { name: '', scope: 'read' } }]),
  'DELETE /account/api-keys/:id': cases('/account/api-keys/{key:user}', ['viewer', 404], ['user', 200]),
  // ---------------------------------------------------------------- notifications (every role manages its own; admins all)
  'GET /api/v1/notification-channels': cases('/api/v1/notification-channels', ['anon', 401], ['viewer', 200], ['userReadKey', 200]),
  'POST /api/v1/notification-channels': cases(
    { path: '/api/v1/notification-channels', json: HOOK },
    ['anon', 401], ['viewer', 201], ['viewer', 403, { noCsrf: true }], ['userReadKey', 403], ['userWriteKey', 201],
    ['viewer', 422, { json: { ...HOOK, config: { url: 'file:///etc/passwd' } } }],
  ),
  'GET /api/v1/notification-channels/:id': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'GET', `/api/v1/notification-channels/${id}`)).toBe(200)
    expect(await status(user, 'GET', `/api/v1/notification-channels/${id}`)).toBe(404)
    expect(await status(h.admin, 'GET', `/api/v1/notification-channels/${id}`)).toBe(200)
    expect(await status(null, 'GET', `/api/v1/notification-channels/${id}`)).toBe(401)
  },
  'PATCH /api/v1/notification-channels/:id': async () => {
    const id = await channelOf(viewer)
    expect(await status(user, 'PATCH', `/api/v1/notification-channels/${id}`, { name: 'mine now' })).toBe(404)
    expect(await status(viewer, 'PATCH', `/api/v1/notification-channels/${id}`, { name: 'renamed' })).toBe(200)
    expect(await status(viewer, 'PATCH', `/api/v1/notification-channels/${id}`, { owner_id: 1 })).toBe(422)
  },
  'DELETE /api/v1/notification-channels/:id': ownerOnly(channelOf, 'DELETE', (id) => `/api/v1/notification-channels/${id}`, 204),
  'POST /api/v1/notification-channels/:id/test': ownerOnly(channelOf, 'POST', (id) => `/api/v1/notification-channels/${id}/test`, 200),
  'GET /api/v1/notification-rules': cases('/api/v1/notification-rules', ['anon', 401], ['viewer', 200]),
  'POST /api/v1/notification-rules': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'POST', '/api/v1/notification-rules', { channel_id: id, streamers: [slug.A], events: ['online'] })).toBe(201)
    // The viewer cannot see B; the user cannot use the viewer's channel.
    expect(await status(viewer, 'POST', '/api/v1/notification-rules', { channel_id: id, streamers: [slug.B], events: ['online'] })).toBe(422)
    expect(await status(user, 'POST', '/api/v1/notification-rules', { channel_id: id, streamers: [slug.A], events: ['online'] })).toBe(404)
  },
  'GET /api/v1/notification-rules/:id': async () => {
    const rule = await ruleOf(viewer)
    expect(await status(viewer, 'GET', `/api/v1/notification-rules/${rule}`)).toBe(200)
    expect(await status(user, 'GET', `/api/v1/notification-rules/${rule}`)).toBe(404)
    expect(await status(h.admin, 'GET', `/api/v1/notification-rules/${rule}`)).toBe(200)
  },
  'PATCH /api/v1/notification-rules/:id': ownerOnly(ruleOf, 'PATCH', (id) => `/api/v1/notification-rules/${id}`, 200, { cooldown_s: 5 }),
  'DELETE /api/v1/notification-rules/:id': ownerOnly(ruleOf, 'DELETE', (id) => `/api/v1/notification-rules/${id}`, 204),
  'POST /api/v1/notification-templates/preview': cases(
    '/api/v1/notification-templates/preview',
    ['anon', 401, { json: { channel_type: 'slack' } }], ['viewer', 200, { json: { channel_type: 'slack', template: '{{ streamer.slug }}' } }],
    ['viewer', 422, { json: { channel_type: 'slack', template: '{% if %}' } }],
  ),
  'GET /api/v1/notification-deliveries': cases(
    '/api/v1/notification-deliveries',
    ['anon', 401], ['viewer', 200, { path: '/api/v1/notification-deliveries?limit=5' }],
    ['viewer', 422, { path: '/api/v1/notification-deliveries?limit=0' }],
  ),
  'GET /notifications': cases('/notifications', ['anon', 303], ['viewer', 200]),
  'GET /notifications/deliveries': cases('/notifications/deliveries', ['anon', 401], ['viewer', 200]),
  'POST /notifications/channels': cases(
    { path: '/notifications/channels', form: { type: 'webhook', name: 'page hook', url: 'http://127.0.0.1:9/hook' } },
    ['anon', 401, { form: { type: 'slack', name: 'x' } }], ['viewer', 201], ['viewer', 403, { noCsrf: true }],
    ['viewer', 422, { form: { type: 'discord', name: 'bad', webhook_url: 'nope' } }],
  ),
  'POST /notifications/channels/:id/test': ownerOnly(channelOf, 'POST', (id) => `/notifications/channels/${id}/test`, 200, {}),
  'DELETE /notifications/channels/:id': ownerOnly(channelOf, 'DELETE', (id) => `/notifications/channels/${id}`, 200),
  'POST /notifications/rules': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'POST', '/notifications/rules', { channel_id: String(id), streamers: slug.A, events: ['online', 'offline'] }, 'form')).toBe(201)
    expect(await status(user, 'POST', '/notifications/rules', { channel_id: String(id), all: '1', events: 'online' }, 'form')).toBe(404)
    expect(await status(viewer, 'POST', '/notifications/rules', { channel_id: String(id), all: '1' }, 'form')).toBe(422)
  },
  'DELETE /notifications/rules/:id': ownerOnly(ruleOf, 'DELETE', (id) => `/notifications/rules/${id}`, 200),
  'POST /notifications/preview': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'POST', '/notifications/preview', { channel_id: String(id), template: 'hi {{ streamer.slug }}' }, 'form')).toBe(200)
    expect(await status(user, 'POST', '/notifications/preview', { channel_id: String(id), template: 'x' }, 'form')).toBe(404)
  },
  'GET /notifications/notify-me/:slug': cases('/notifications/notify-me/{A}', ['anon', 401], ['viewer', 200], ['viewer', 404, { path: '/notifications/notify-me/{B}' }]),
  'POST /notifications/notify-me/:slug': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'POST', `/notifications/notify-me/${slug.A}`, { channel_id: String(id) }, 'form')).toBe(200)
    expect(await status(viewer, 'POST', `/notifications/notify-me/${slug.B}`, { channel_id: String(id) }, 'form')).toBe(422)
    expect(await status(user, 'POST', `/notifications/notify-me/${slug.A}`, { channel_id: String(id) }, 'form')).toBe(404)
  },
  'DELETE /notifications/notify-me/:slug/:id': ownerOnly(ruleOf, 'DELETE', (id) => `/notifications/notify-me/${slug.A}/${id}`, 200),
  'GET /system': roleCases('/system', 303),
  'GET /system/report': roleCases('/system/report', 401),
}


/** A request as this client (null: anonymous); `form` sends the body as a form, like htmx. */
async function status(c: Client | null, method: string, path: string, body?: Record<string, unknown>, as: 'json' | 'form' = 'json'): Promise<number> {
  const headers = new Headers({ accept: path.startsWith('/api/') ? 'application/json' : 'text/html' })
  if (c) headers.set('cookie', c.cookie)
  if (c && method !== 'GET') headers.set('x-csrf-token', c.csrf)
  let payload: BodyInit | undefined
  if (body && as === 'json') {
    headers.set('content-type', 'application/json')
    payload = JSON.stringify(body)
  } else if (body) {
    const f = new URLSearchParams()
    for (const [k, v] of Object.entries(body)) for (const x of [v].flat()) f.append(k, String(x))
    payload = f
    headers.set('hx-request', 'true')
  }
  const res = await h.handle(path, { method, headers, body: payload })
  await res.arrayBuffer()
  return res.status
}

/** A fresh notification channel owned by `c`. */
async function channelOf(c: Client): Promise<number> {
  const r = await c.fetch('/api/v1/notification-channels', { method: 'POST', json: HOOK })
  if (r.status !== 201) throw new Error(`channel: ${r.status} ${await r.text()}`)
  return ((await r.json()) as { id: number }).id
}

/** A fresh rule of `c` (on a fresh channel) for streamer A. */
async function ruleOf(c: Client): Promise<number> {
  const r = await c.fetch('/api/v1/notification-rules', { method: 'POST', json: { channel_id: await channelOf(c), streamers: [slug.A], events: ['online'] } })
  if (r.status !== 201) throw new Error(`rule: ${r.status} ${await r.text()}`)
  return ((await r.json()) as { id: number }).id
}

/** One case of a route: who asks, the status due, and what their request changes (another path, body or no CSRF token). */
type Row = [who: Who, expect: number, differs?: Partial<Omit<Case, 'who' | 'expect'>>]

/** A route's cases on one request (a path, or a path and its body), one row per caller. */
function cases(request: string | Omit<Case, 'who' | 'expect'>, ...rows: Row[]): Case[] {
  const base = typeof request === 'string' ? { path: request } : request
  return rows.map(([who, expect, differs]) => ({ ...base, ...differs, who, expect }))
}

/** A fresh object of the viewer's (made by `make`): another user gets 404 for it, the viewer `ok`. */
function ownerOnly(make: (c: Client) => Promise<number>, method: string, path: (id: number) => string, ok: number, body?: Record<string, unknown>): Entry {
  return async () => {
    const id = await make(viewer)
    expect(await status(user, method, path(id), body)).toBe(404)
    expect(await status(viewer, method, path(id), body)).toBe(ok)
  }
}

/** A streamer-scoped read: the viewer sees A only, the user A and B, the admin everything. */
function objectCases(tpl: string, anon = 401): Case[] {
  const p = (s: string) => tpl.replace('{s}', s)
  return [
    { who: 'anon', path: p(A), expect: anon },
    { who: 'viewer', path: p(A), expect: 200 },
    { who: 'viewer', path: p(B), expect: 404 },
    { who: 'user', path: p(B), expect: 200 },
    { who: 'user', path: p(C), expect: 404 },
    { who: 'userReadKey', path: p(C), expect: 404 },
    { who: 'admin', path: p(C), expect: 200 },
    { who: 'viewer', path: p('never-monitored'), expect: 404 },
  ]
}

/** An admin-only read. */
function roleCases(path: string, anon: number): Case[] {
  return [
    { who: 'anon', path, expect: anon },
    { who: 'viewer', path, expect: 403 },
    { who: 'user', path, expect: 403 },
    { who: 'admin', path, expect: 200 },
  ]
}

function fill(s: string): string {
  return s
    .replace(/\{([A-H])\}/g, (_, k: keyof typeof slug) => slug[k])
    .replace(/\{(viewer|user|admin|t\d)\}/g, (_, k: string) => String(k === 'viewer' ? viewer.id : k === 'user' ? user.id : k === 'admin' ? h.admin.id : t[Number(k.slice(1)) - 1]!.id))
    .replace(/\{(key|sess):(\w+)\}/g, (_, kind: string, k: string) => ids[`${kind}:${k}`]!)
}

function fillDeep(v: unknown): unknown {
  if (typeof v === 'string') return fill(v)
  if (Array.isArray(v)) return v.map(fillDeep)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillDeep(x)]))
  return v
}

async function run(method: string, c: Case): Promise<number> {
  const path = fill(c.path)
  const headers = new Headers({ accept: path.startsWith('/api/') ? 'application/json' : 'text/html' })
  let body: BodyInit | undefined
  if (c.json !== undefined) {
    headers.set('content-type', 'application/json')
    body = JSON.stringify(fillDeep(c.json))
  } else if (c.form) {
    const f = new URLSearchParams()
    for (const [k, v] of Object.entries(fillDeep(c.form) as Record<string, string | string[]>)) for (const x of [v].flat()) f.append(k, x)
    body = f
    headers.set('hx-request', 'true')
  }
  const who = c.who as string
  if (who in keys) headers.set('authorization', `Bearer ${keys[who as keyof typeof keys]}`)
  else if (who !== 'anon') {
    const cl = who === 'viewer' ? viewer : who === 'user' ? user : who === 'admin' ? h.admin : t[Number(who.slice(1)) - 1]!
    headers.set('cookie', cl.cookie)
    if (method !== 'GET' && !c.noCsrf) headers.set('x-csrf-token', cl.csrf)
  }
  const res = await h.handle(path, { method, headers, body })
  if (res.headers.get('content-type')?.includes('event-stream')) await res.body?.cancel()
  else await res.arrayBuffer()
  return res.status
}

function wsOutcome(ws: WebSocket, listenMs = 800): Promise<{ opened: boolean; messages: string[] }> {
  return new Promise((resolve) => {
    const messages: string[] = []
    let opened = false
    ws.onopen = () => (opened = true)
    ws.onmessage = (e) => messages.push(String(e.data))
    ws.onerror = () => {}
    ws.onclose = () => resolve({ opened, messages })
    setTimeout(() => {
      ws.close()
      resolve({ opened, messages })
    }, listenMs)
  })
}

describe('gateway access: role × route × object', () => {
  beforeAll(async () => {
    h = await startGatewayHarness({ channels: 10 })
    const s = h.slugs()
    slug = { A: s[0]!, B: s[1]!, C: s[2]!, D: s[3]!, E: s[4]!, F: s[5]!, G: s[6]!, H: s[7]! }
    for (const k of ['A', 'B', 'C'] as const) await h.monitor(slug[k])
    viewer = await h.user('viewer')
    user = await h.user('user')
    other = await h.user('user')
    t = []
    for (const role of ['viewer', 'viewer', 'user', 'viewer', 'viewer', 'viewer'] as const) t.push(await h.user(role))
    await h.assign(viewer.id, [slug.A])
    await h.assign(user.id, [slug.A, slug.B])
    keys = { userReadKey: await h.apiKey(user, 'read'), userWriteKey: await h.apiKey(user, 'write'), adminReadKey: await h.apiKey(h.admin, 'read') }
    await h.apiKey(user, 'read') // the one the table revokes
    const userKeys = (await (await user.fetch('/api/v1/api-keys')).json()) as { id: number }[]
    ids['key:user'] = String(userKeys[0]!.id)
    const sessions = (await (await other.fetch('/api/v1/sessions')).json()) as { session_id: string }[]
    ids['sess:other'] = sessions[0]!.session_id
    const pub = await h.admin.fetch('/api/v1/status-pages', { method: 'POST', json: { slug: 'pub', title: 'Public', streamers: [slug.A], show_viewers: true, show_history: false } })
    if (pub.status !== 201) throw new Error(`status page: ${pub.status} ${await pub.text()}`)
  }, 90_000)
  afterAll(async () => {
    await h?.stop()
  })

  test('every route the gateway serves has an entry in the table', () => {
    const served = h.app.routes.map((r) => `${r.method} ${r.path}`)
    const missing = served.filter((k) => !(k in TABLE))
    const stale = Object.keys(TABLE).filter((k) => !served.includes(k))
    expect({ missing, stale }).toEqual({ missing: [], stale: [] })
  })

  test('every caller gets exactly the status the table says', async () => {
    const wrong: string[] = []
    const entries = Object.entries(TABLE)
    // Reads first, then changes in table order, so no change can alter a read's answer.
    const ordered = [...entries.filter(([k]) => k.startsWith('GET ')), ...entries.filter(([k]) => !k.startsWith('GET '))]
    for (const [key, entry] of ordered) {
      const method = key.split(' ')[0]!
      if (typeof entry === 'function') {
        try {
          await entry(h)
        } catch (e) {
          wrong.push(`${key}: ${(e as Error).message}`)
        }
        continue
      }
      for (const c of entry) {
        const status = await run(method === 'WS' ? 'GET' : method, c)
        if (status !== c.expect) wrong.push(`${c.who} ${method} ${fill(c.path)} → ${status}, expected ${c.expect}`)
      }
    }
    expect(wrong).toEqual([])
  }, 120_000)

  test('a user’s additions are assigned to them; their removals only drop their own assignment', async () => {
    const mine = (await (await user.fetch(`/api/v1/users/${user.id}/streamers`)).json()) as { slugs: string[] }
    expect(mine.slugs).toContain(slug.E) // added with their write key
    expect(mine.slugs).not.toContain(slug.D) // added, then removed from their list
    // …and removing it from their list did not stop monitoring it for everyone.
    expect((await h.admin.fetch(`/api/v1/streamers/${slug.D}`)).status).toBe(200)
    await eventually(async () => (await h.admin.fetch(`/api/v1/streamers/${slug.F}`)).status === 404, 5000, 'F gone after the admin removed it')
  })
})
