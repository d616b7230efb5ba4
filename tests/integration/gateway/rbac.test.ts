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
  'GET /healthz': [{ who: 'anon', path: '/healthz', expect: 200 }],
  'GET /readyz': [{ who: 'anon', path: '/readyz', expect: 200 }],
  'GET /metrics': [{ who: 'anon', path: '/metrics', expect: 200 }],
  'GET /assets/:file': [{ who: 'anon', path: '/assets/app.css', expect: 200 }, { who: 'anon', path: '/assets/..%2Fpackage.json', expect: 404 }, { who: 'anon', path: '/assets/constructor', expect: 404 }],
  'POST /webhooks/kick': async (h) => {
    // Kick's deliveries are signed; an unsigned one is refused before anything else.
    const r = await h.handle('/webhooks/kick', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.status).toBeLessThan(500)
  },
  'GET /api/v1/openapi.json': [{ who: 'anon', path: '/api/v1/openapi.json', expect: 200 }],
  'GET /login': [{ who: 'anon', path: '/login', expect: 200 }, { who: 'viewer', path: '/login', expect: 303 }],
  'GET /media/:kind/:slug': [
    { who: 'anon', path: `/media/avatar/${A}`, expect: 401 },
    { who: 'viewer', path: `/media/avatar/${A}`, expect: 200 },
    { who: 'viewer', path: `/media/banner/${A}`, expect: 200 },
    { who: 'viewer', path: `/media/avatar/${B}`, expect: 404 },
    { who: 'user', path: `/media/avatar/${C}`, expect: 404 },
    { who: 'admin', path: `/media/avatar/${C}`, expect: 200 },
    { who: 'admin', path: `/media/thumbnail/${C}`, expect: 404 },
  ],
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
  'POST /api/v1/auth/login': [
    { who: 'anon', path: '/api/v1/auth/login', json: { username: 'admin', password: 'wrong password' }, expect: 401 },
    { who: 'anon', path: '/api/v1/auth/login', json: { username: 'nobody-at-all', password: 'wrong password' }, expect: 401 },
    { who: 'anon', path: '/api/v1/auth/login', json: { username: '' }, expect: 422 },
  ],
  'POST /api/v1/auth/logout': [
    { who: 'anon', path: '/api/v1/auth/logout', expect: 401 },
    { who: 'userWriteKey', path: '/api/v1/auth/logout', expect: 400 },
    { who: 'viewer', path: '/api/v1/auth/logout', noCsrf: true, expect: 403 },
  ],
  'POST /login': [
    { who: 'anon', path: '/login', form: { username: 'admin', password: 'nope-nope' }, expect: 401 },
    { who: 'anon', path: '/login', form: { username: '' }, expect: 422 },
  ],
  'POST /logout': [{ who: 'anon', path: '/logout', form: {}, expect: 303 }],

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
  'GET /api/v1/stream': [
    { who: 'anon', path: '/api/v1/stream', expect: 401 },
    { who: 'viewer', path: '/api/v1/stream', expect: 200 },
    { who: 'userReadKey', path: '/api/v1/stream', expect: 200 },
  ],
  'POST /api/v1/streamers': [
    { who: 'anon', path: '/api/v1/streamers', json: { slug: '{D}' }, expect: 401 },
    { who: 'viewer', path: '/api/v1/streamers', json: { slug: '{D}' }, expect: 403 },
    { who: 'userReadKey', path: '/api/v1/streamers', json: { slug: '{D}' }, expect: 403 },
    { who: 'user', path: '/api/v1/streamers', json: { slug: '{D}' }, noCsrf: true, expect: 403 },
    { who: 'user', path: '/api/v1/streamers', json: { slug: 'Not A Slug!' }, expect: 422 },
    { who: 'user', path: '/api/v1/streamers', json: { slug: 'no-such-channel' }, expect: 404 },
    { who: 'user', path: '/api/v1/streamers', json: { slug: '{D}' }, expect: 201 },
    { who: 'userWriteKey', path: '/api/v1/streamers', json: { slug: '{E}' }, expect: 201 },
    { who: 'admin', path: '/api/v1/streamers', json: { slug: '{F}' }, expect: 201 },
  ],
  'DELETE /api/v1/streamers/:slug': [
    { who: 'anon', path: '/api/v1/streamers/{D}', expect: 401 },
    { who: 'viewer', path: '/api/v1/streamers/{A}', expect: 403 },
    { who: 'user', path: '/api/v1/streamers/{C}', expect: 404 }, // not on their list
    { who: 'userReadKey', path: '/api/v1/streamers/{D}', expect: 403 },
    { who: 'user', path: '/api/v1/streamers/{D}', expect: 204 }, // their own assignment
    { who: 'admin', path: '/api/v1/streamers/{F}', expect: 204 }, // archived
    { who: 'admin', path: '/api/v1/streamers/{F}', expect: 404 },
  ],
  'POST /api/v1/streamers/:slug/purge': [
    { who: 'anon', path: '/api/v1/streamers/{F}/purge', expect: 401 },
    { who: 'viewer', path: '/api/v1/streamers/{F}/purge', expect: 404 },
    { who: 'user', path: '/api/v1/streamers/{F}/purge', expect: 403 },
    { who: 'userWriteKey', path: '/api/v1/streamers/{F}/purge', expect: 403 },
    { who: 'adminReadKey', path: '/api/v1/streamers/{F}/purge', expect: 403 },
    { who: 'admin', path: '/api/v1/streamers/{F}/purge', noCsrf: true, expect: 403 },
    { who: 'admin', path: '/api/v1/streamers/{A}/purge', expect: 409 }, // still monitored
    { who: 'admin', path: '/api/v1/streamers/never-monitored/purge', expect: 404 },
    { who: 'admin', path: '/api/v1/streamers/Not%20A%20Slug/purge', expect: 422 },
    { who: 'admin', path: '/api/v1/streamers/{F}/purge', expect: 200 },
    { who: 'admin', path: '/api/v1/streamers/{F}/purge', expect: 404 },
  ],

  // ---------------------------------------------------------------- users API
  'GET /api/v1/users': [
    { who: 'anon', path: '/api/v1/users', expect: 401 },
    { who: 'viewer', path: '/api/v1/users', expect: 403 },
    { who: 'user', path: '/api/v1/users', expect: 403 },
    { who: 'userReadKey', path: '/api/v1/users', expect: 403 },
    { who: 'admin', path: '/api/v1/users', expect: 200 },
    { who: 'adminReadKey', path: '/api/v1/users?limit=1', expect: 200 },
    { who: 'admin', path: '/api/v1/users?limit=0', expect: 422 },
  ],
  'POST /api/v1/users': [
    { who: 'user', path: '/api/v1/users', json: { username: 'x1', password: 'long-enough-1', role: 'viewer' }, expect: 403 },
    { who: 'adminReadKey', path: '/api/v1/users', json: { username: 'x1', password: 'long-enough-1', role: 'viewer' }, expect: 403 },
    { who: 'admin', path: '/api/v1/users', json: { username: 'x1', password: 'long-enough-1', role: 'viewer' }, noCsrf: true, expect: 403 },
    { who: 'admin', path: '/api/v1/users', json: { username: 'x1', password: 'short', role: 'viewer' }, expect: 422 },
    { who: 'admin', path: '/api/v1/users', json: { username: 'x1', password: 'long-enough-1', role: 'boss' }, expect: 422 },
    { who: 'admin', path: '/api/v1/users', json: { username: 'x1', password: 'long-enough-1', role: 'viewer' }, expect: 201 },
    { who: 'admin', path: '/api/v1/users', json: { username: 'X1', password: 'long-enough-1', role: 'viewer' }, expect: 409 },
  ],
  'GET /api/v1/users/:id': [
    { who: 'viewer', path: '/api/v1/users/{viewer}', expect: 200 },
    { who: 'viewer', path: '/api/v1/users/{user}', expect: 403 },
    { who: 'userReadKey', path: '/api/v1/users/{user}', expect: 200 },
    { who: 'admin', path: '/api/v1/users/{viewer}', expect: 200 },
    { who: 'admin', path: '/api/v1/users/999999', expect: 404 },
    { who: 'admin', path: '/api/v1/users/abc', expect: 422 },
  ],
  'PATCH /api/v1/users/:id': [
    { who: 'viewer', path: '/api/v1/users/{viewer}', json: { display_name: 'Vee' }, expect: 200 },
    { who: 'viewer', path: '/api/v1/users/{viewer}', json: { role: 'admin' }, expect: 403 },
    { who: 'viewer', path: '/api/v1/users/{user}', json: { display_name: 'x' }, expect: 403 },
    { who: 'userReadKey', path: '/api/v1/users/{user}', json: { display_name: 'x' }, expect: 403 },
    { who: 'admin', path: '/api/v1/users/{t1}', json: { wat: 1 }, expect: 422 },
    { who: 'admin', path: '/api/v1/users/{t1}', json: { role: 'user' }, expect: 200 },
  ],
  'DELETE /api/v1/users/:id': [
    { who: 'user', path: '/api/v1/users/{t2}', expect: 403 },
    { who: 'admin', path: '/api/v1/users/{t2}', expect: 204 },
    { who: 'admin', path: '/api/v1/users/{t2}', expect: 404 },
  ],
  'POST /api/v1/users/:id/password': [
    { who: 'user', path: '/api/v1/users/{t3}/password', json: { password: 'new-password-9' }, expect: 403 },
    { who: 't3' as Who, path: '/api/v1/users/{t3}/password', json: { password: 'new-password-9' }, expect: 422 }, // needs current_password
    { who: 't3' as Who, path: '/api/v1/users/{t3}/password', json: { password: 'new-password-9', current_password: 'wrong' }, expect: 422 },
    { who: 't3' as Who, path: '/api/v1/users/{t3}/password', json: { password: 'new-password-9', current_password: 'user-password-1' }, expect: 200 },
    { who: 'admin', path: '/api/v1/users/{t3}/password', json: { password: 'reset-password-9' }, expect: 200 },
  ],
  'GET /api/v1/users/:id/streamers': [
    { who: 'user', path: '/api/v1/users/{user}/streamers', expect: 200 },
    { who: 'user', path: '/api/v1/users/{viewer}/streamers', expect: 403 },
    { who: 'admin', path: '/api/v1/users/{viewer}/streamers', expect: 200 },
  ],
  'PUT /api/v1/users/:id/streamers': [
    { who: 'user', path: '/api/v1/users/{user}/streamers', json: { slugs: ['{C}'] }, expect: 403 },
    { who: 'admin', path: '/api/v1/users/{t1}/streamers', json: { slugs: ['never-monitored'] }, expect: 422 },
    { who: 'admin', path: '/api/v1/users/{t1}/streamers', json: { slugs: ['{A}', '{C}'] }, expect: 200 },
  ],

  // ---------------------------------------------------------------- account API
  'GET /api/v1/me': [{ who: 'anon', path: '/api/v1/me', expect: 401 }, { who: 'viewer', path: '/api/v1/me', expect: 200 }, { who: 'userReadKey', path: '/api/v1/me', expect: 200 }],
  'GET /api/v1/sessions': [{ who: 'anon', path: '/api/v1/sessions', expect: 401 }, { who: 'viewer', path: '/api/v1/sessions', expect: 200 }],
  'DELETE /api/v1/sessions/:id': [
    { who: 'viewer', path: '/api/v1/sessions/{sess:other}', expect: 404 }, // someone else's
    { who: 'viewer', path: '/api/v1/sessions/not-an-id', expect: 422 },
    { who: 'admin', path: '/api/v1/sessions/{sess:other}', expect: 204 },
  ],
  'GET /api/v1/api-keys': [{ who: 'viewer', path: '/api/v1/api-keys', expect: 200 }, { who: 'anon', path: '/api/v1/api-keys', expect: 401 }],
  'POST /api/v1/api-keys': [
    { who: 'viewer', path: '/api/v1/api-keys', json: { name: 'mine', scope: 'read' }, expect: 201 },
    { who: 'userWriteKey', path: '/api/v1/api-keys', json: { name: 'from a key', scope: 'read' }, expect: 403 },
    { who: 'viewer', path: '/api/v1/api-keys', json: { name: 'x', scope: 'root' }, expect: 422 },
  ],
  'DELETE /api/v1/api-keys/:id': [
    { who: 'viewer', path: '/api/v1/api-keys/{key:user}', expect: 404 }, // not theirs
    { who: 'userReadKey', path: '/api/v1/api-keys/{key:user}', expect: 403 },
  ],
  'GET /api/v1/audit': [{ who: 'user', path: '/api/v1/audit', expect: 403 }, { who: 'admin', path: '/api/v1/audit?limit=5', expect: 200 }, { who: 'admin', path: '/api/v1/audit?action=DROP', expect: 422 }],
  'GET /api/v1/health': [{ who: 'user', path: '/api/v1/health', expect: 403 }, { who: 'admin', path: '/api/v1/health', expect: 200 }, { who: 'anon', path: '/api/v1/health', expect: 401 }],

  // ---------------------------------------------------------------- status pages, share links (API)
  'GET /api/v1/status-pages': [
    { who: 'anon', path: '/api/v1/status-pages', expect: 401 },
    { who: 'viewer', path: '/api/v1/status-pages', expect: 403 },
    { who: 'user', path: '/api/v1/status-pages', expect: 403 },
    { who: 'userReadKey', path: '/api/v1/status-pages', expect: 403 },
    { who: 'admin', path: '/api/v1/status-pages', expect: 200 },
    { who: 'adminReadKey', path: '/api/v1/status-pages', expect: 200 },
  ],
  'POST /api/v1/status-pages': [
    { who: 'anon', path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true }, expect: 401 },
    { who: 'user', path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true }, expect: 403 },
    { who: 'adminReadKey', path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true }, expect: 403 },
    { who: 'admin', path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true }, noCsrf: true, expect: 403 },
    { who: 'admin', path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['never-monitored'], show_viewers: true, show_history: true }, expect: 422 },
    { who: 'admin', path: '/api/v1/status-pages', json: { slug: 'RBAC!', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true }, expect: 422 },
    { who: 'admin', path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true }, expect: 201 },
    { who: 'admin', path: '/api/v1/status-pages', json: { slug: 'rbac', title: 'R', streamers: ['{A}'], show_viewers: true, show_history: true }, expect: 409 },
  ],
  'GET /api/v1/status-pages/:slug': [
    { who: 'user', path: '/api/v1/status-pages/pub', expect: 403 },
    { who: 'admin', path: '/api/v1/status-pages/pub', expect: 200 },
    { who: 'admin', path: '/api/v1/status-pages/nope', expect: 404 },
    { who: 'admin', path: '/api/v1/status-pages/NO%20PE', expect: 422 },
  ],
  'PATCH /api/v1/status-pages/:slug': [
    { who: 'user', path: '/api/v1/status-pages/rbac', json: { title: 'x' }, expect: 403 },
    { who: 'admin', path: '/api/v1/status-pages/rbac', json: { streamers: ['never-monitored'] }, expect: 422 },
    { who: 'admin', path: '/api/v1/status-pages/rbac', json: { title: 'Renamed' }, expect: 200 },
  ],
  'DELETE /api/v1/status-pages/:slug': [
    { who: 'user', path: '/api/v1/status-pages/rbac', expect: 403 },
    { who: 'admin', path: '/api/v1/status-pages/rbac', expect: 204 },
    { who: 'admin', path: '/api/v1/status-pages/rbac', expect: 404 },
  ],
  'GET /api/v1/share-links': [
    { who: 'anon', path: '/api/v1/share-links', expect: 401 },
    { who: 'viewer', path: '/api/v1/share-links', expect: 200 },
    { who: 'userReadKey', path: '/api/v1/share-links?include_revoked=true', expect: 200 },
  ],
  'POST /api/v1/share-links': [
    { who: 'anon', path: '/api/v1/share-links', json: { target: { type: 'streamer', slug: '{A}' }, expires_in: 600 }, expect: 401 },
    { who: 'viewer', path: '/api/v1/share-links', json: { target: { type: 'streamer', slug: '{A}' }, expires_in: 600 }, expect: 201 },
    { who: 'viewer', path: '/api/v1/share-links', json: { target: { type: 'streamer', slug: '{B}' }, expires_in: 600 }, expect: 404 },
    { who: 'user', path: '/api/v1/share-links', json: { target: { type: 'view', slugs: ['{A}', '{C}'] }, expires_in: 600 }, expect: 404 },
    { who: 'user', path: '/api/v1/share-links', json: { target: { type: 'view', slugs: ['{A}', '{B}'] }, expires_in: 600 }, noCsrf: true, expect: 403 },
    { who: 'userReadKey', path: '/api/v1/share-links', json: { target: { type: 'streamer', slug: '{A}' }, expires_in: 600 }, expect: 403 },
    { who: 'user', path: '/api/v1/share-links', json: { target: { type: 'streamer', slug: '{A}' }, expires_in: 40 * 86_400 }, expect: 422 },
    { who: 'userWriteKey', path: '/api/v1/share-links', json: { target: { type: 'view', slugs: ['{A}', '{B}'] }, expires_in: 600 }, expect: 201 },
    { who: 'admin', path: '/api/v1/share-links', json: { target: { type: 'streamer', slug: '{C}' }, expires_in: 600 }, expect: 201 },
  ],
  'DELETE /api/v1/share-links/:id': [
    { who: 'viewer', path: '/api/v1/share-links/00000000-0000-4000-8000-000000000000', expect: 404 },
    { who: 'viewer', path: '/api/v1/share-links/not-an-id', expect: 422 },
    { who: 'userReadKey', path: '/api/v1/share-links/00000000-0000-4000-8000-000000000000', expect: 403 },
  ],

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
  'GET /p/:slug/embed': [{ who: 'anon', path: '/p/pub/embed', expect: 200 }, { who: 'anon', path: '/p/nope/embed', expect: 404 }],
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
  'GET /': [{ who: 'anon', path: '/', expect: 303 }, { who: 'viewer', path: '/', expect: 200 }, { who: 'admin', path: '/?sort=name&group=state&live=1', expect: 200 }, { who: 'viewer', path: '/?sort=evil', expect: 422 }],
  'POST /streamers': [
    { who: 'viewer', path: '/streamers', form: { slug: '{G}' }, expect: 403 },
    { who: 'user', path: '/streamers', form: { slug: 'https://kick.com/{G}' }, expect: 200 },
  ],
  'GET /streamers/:slug': objectCases('/streamers/{s}', 303),
  'GET /streamers/:slug/sessions': objectCases('/streamers/{s}/sessions'),
  'GET /streamers/:slug/timeline': objectCases('/streamers/{s}/timeline'),
  'GET /streamers/:slug/viewers.csv': objectCases('/streamers/{s}/viewers.csv'),
  'GET /streamers/:slug/sessions.csv': objectCases('/streamers/{s}/sessions.csv'),
  'DELETE /streamers/:slug': [
    { who: 'viewer', path: '/streamers/{A}', expect: 403 },
    { who: 'user', path: '/streamers/{G}', expect: 200 },
  ],
  'GET /admin/users': roleCases('/admin/users', 303),
  'POST /admin/users': [
    { who: 'user', path: '/admin/users', form: { username: 'x2', password: 'long-enough-2', role: 'viewer' }, expect: 403 },
    { who: 'admin', path: '/admin/users', form: { username: 'x2', password: 'long-enough-2', role: 'viewer' }, noCsrf: true, expect: 403 },
    { who: 'admin', path: '/admin/users', form: { username: 'x2', password: 'long-enough-2', role: 'viewer', display_name: '' }, expect: 201 },
  ],
  'PATCH /admin/users/:id': [
    { who: 'user', path: '/admin/users/{t4}', form: { disabled: 'true' }, expect: 403 },
    { who: 'admin', path: '/admin/users/{t4}', form: {}, expect: 422 },
    { who: 'admin', path: '/admin/users/{t4}', form: { disabled: 'true' }, expect: 200 },
  ],
  'POST /admin/users/:id/password': [
    { who: 'user', path: '/admin/users/{t4}/password', form: { password: 'fresh-password-1' }, expect: 403 },
    { who: 'admin', path: '/admin/users/{t4}/password', form: { password: 'fresh-password-1' }, expect: 200 },
  ],
  'GET /admin/users/:id/streamers': [{ who: 'user', path: '/admin/users/{t4}/streamers', expect: 403 }, { who: 'admin', path: '/admin/users/{t4}/streamers', expect: 200 }],
  'PUT /admin/users/:id/streamers': [
    { who: 'user', path: '/admin/users/{t4}/streamers', form: { slugs: ['{A}'] }, expect: 403 },
    { who: 'admin', path: '/admin/users/{t4}/streamers', form: { slugs: ['{A}', '{B}'], paste: '{C}' }, expect: 200 },
  ],
  'POST /admin/users/bulk-assign': [
    { who: 'user', path: '/admin/users/bulk-assign', form: { user_ids: '{t4}', slugs: '{A}', action: 'add' }, expect: 403 },
    { who: 'admin', path: '/admin/users/bulk-assign', form: { slugs: '{A}', action: 'add' }, expect: 422 },
    { who: 'admin', path: '/admin/users/bulk-assign', form: { user_ids: ['{t4}', '{t5}'], slugs: '{A}\n{B}', action: 'add' }, expect: 200 },
  ],
  'DELETE /admin/users/:id': [{ who: 'user', path: '/admin/users/{t5}', expect: 403 }, { who: 'admin', path: '/admin/users/{t5}', expect: 200 }],
  'GET /admin/streamers': roleCases('/admin/streamers', 303),
  'POST /admin/streamers': [
    { who: 'user', path: '/admin/streamers', form: { slug: '{H}' }, expect: 403 },
    { who: 'admin', path: '/admin/streamers', form: { slug: 'no-such-channel' }, expect: 404 },
    { who: 'admin', path: '/admin/streamers', form: { slug: '{H}' }, expect: 201 },
    { who: 'admin', path: '/admin/streamers', form: { slug: '{H}' }, expect: 200 },
  ],
  'POST /admin/streamers/import': [
    { who: 'user', path: '/admin/streamers/import', form: { list: '{H}' }, expect: 403 },
    { who: 'admin', path: '/admin/streamers/import', form: { list: '{H}\nno-such-channel\nBAD SLUG!' }, expect: 200 },
  ],
  'DELETE /admin/streamers/:slug': [{ who: 'user', path: '/admin/streamers/{H}', expect: 403 }, { who: 'admin', path: '/admin/streamers/{H}', expect: 200 }],
  'POST /admin/streamers/:slug/purge': [
    { who: 'user', path: '/admin/streamers/{H}/purge', form: { confirm: '{H}' }, expect: 403 },
    { who: 'admin', path: '/admin/streamers/{H}/purge', form: { confirm: 'something-else' }, expect: 422 },
    { who: 'admin', path: '/admin/streamers/{A}/purge', form: { confirm: '{A}' }, expect: 409 },
    { who: 'admin', path: '/admin/streamers/{H}/purge', form: { confirm: '{H}' }, expect: 200 },
  ],
  'GET /admin/pages': [...roleCases('/admin/pages', 303), { who: 'admin', path: '/admin/pages?edit=pub', expect: 200 }],
  'POST /admin/pages': [
    { who: 'user', path: '/admin/pages', form: { slug: 'form-page', title: 'F', streamers: '{A}' }, expect: 403 },
    { who: 'admin', path: '/admin/pages', form: { slug: 'form-page', title: 'F', streamers: 'never-monitored' }, expect: 422 },
    { who: 'admin', path: '/admin/pages', form: { slug: 'Form Page', title: 'F', streamers: '{A}' }, expect: 422 },
    { who: 'admin', path: '/admin/pages', form: { slug: 'form-page', title: 'F', streamers: '{A}\n{B}', show_viewers: '1' }, expect: 201 },
    { who: 'admin', path: '/admin/pages', form: { editing: 'form-page', slug: 'form-page', title: 'F2', streamers: '{B}' }, expect: 200 },
  ],
  'DELETE /admin/pages/:slug': [
    { who: 'user', path: '/admin/pages/form-page', expect: 403 },
    { who: 'admin', path: '/admin/pages/form-page', expect: 200 },
    { who: 'admin', path: '/admin/pages/form-page', expect: 404 },
  ],
  'GET /share': [{ who: 'anon', path: '/share', expect: 303 }, { who: 'viewer', path: '/share', expect: 200 }, { who: 'admin', path: '/share', expect: 200 }],
  'POST /share': [
    { who: 'anon', path: '/share', form: { slugs: '{A}', expires_in: '3600' }, expect: 401 },
    { who: 'viewer', path: '/share', form: { slugs: '{B}', expires_in: '3600' }, expect: 404 },
    { who: 'viewer', path: '/share', form: { slugs: '{A}', expires_in: '12' }, expect: 422 },
    { who: 'viewer', path: '/share', form: { slugs: '{A}', expires_in: '3600' }, noCsrf: true, expect: 403 },
    { who: 'viewer', path: '/share', form: { slugs: '{A}', expires_in: '3600' }, expect: 201 },
    { who: 'user', path: '/share', form: { slugs: ['{A}', '{B}'], title: 'both', expires_in: '86400' }, expect: 201 },
  ],
  'DELETE /share/:id': [
    { who: 'viewer', path: '/share/00000000-0000-4000-8000-000000000000', expect: 404 },
    { who: 'viewer', path: '/share/nope', expect: 422 },
  ],
  'GET /account': [{ who: 'anon', path: '/account', expect: 303 }, { who: 'viewer', path: '/account', expect: 200 }],
  'POST /account/password': [
    { who: 'anon', path: '/account/password', form: {}, expect: 401 },
    { who: 't6' as Who, path: '/account/password', form: { current_password: 'user-password-1', new_password: 'another-pass-1', confirm: 'different-1' }, expect: 422 },
    { who: 't6' as Who, path: '/account/password', form: { current_password: 'user-password-1', new_password: 'another-pass-1', confirm: 'another-pass-1' }, expect: 200 },
  ],
  'DELETE /account/sessions/:id': [{ who: 'viewer', path: '/account/sessions/{sess:other}', expect: 404 }],
  'POST /account/api-keys': [{ who: 'viewer', path: '/account/api-keys', form: { name: 'page key', scope: 'read' }, expect: 201 }, { who: 'viewer', path: '/account/api-keys', form: { name: '', scope: 'read' }, expect: 422 }],
  'DELETE /account/api-keys/:id': [{ who: 'viewer', path: '/account/api-keys/{key:user}', expect: 404 }, { who: 'user', path: '/account/api-keys/{key:user}', expect: 200 }],
  // ---------------------------------------------------------------- notifications (every role manages its own; admins all)
  'GET /api/v1/notification-channels': [
    { who: 'anon', path: '/api/v1/notification-channels', expect: 401 },
    { who: 'viewer', path: '/api/v1/notification-channels', expect: 200 },
    { who: 'userReadKey', path: '/api/v1/notification-channels', expect: 200 },
  ],
  'POST /api/v1/notification-channels': [
    { who: 'anon', path: '/api/v1/notification-channels', json: HOOK, expect: 401 },
    { who: 'viewer', path: '/api/v1/notification-channels', json: HOOK, expect: 201 },
    { who: 'viewer', path: '/api/v1/notification-channels', json: HOOK, noCsrf: true, expect: 403 },
    { who: 'userReadKey', path: '/api/v1/notification-channels', json: HOOK, expect: 403 },
    { who: 'userWriteKey', path: '/api/v1/notification-channels', json: HOOK, expect: 201 },
    { who: 'viewer', path: '/api/v1/notification-channels', json: { ...HOOK, config: { url: 'file:///etc/passwd' } }, expect: 422 },
  ],
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
  'DELETE /api/v1/notification-channels/:id': async () => {
    const id = await channelOf(viewer)
    expect(await status(user, 'DELETE', `/api/v1/notification-channels/${id}`)).toBe(404)
    expect(await status(viewer, 'DELETE', `/api/v1/notification-channels/${id}`)).toBe(204)
  },
  'POST /api/v1/notification-channels/:id/test': async () => {
    const id = await channelOf(viewer)
    expect(await status(user, 'POST', `/api/v1/notification-channels/${id}/test`)).toBe(404)
    expect(await status(viewer, 'POST', `/api/v1/notification-channels/${id}/test`)).toBe(200)
  },
  'GET /api/v1/notification-rules': [{ who: 'anon', path: '/api/v1/notification-rules', expect: 401 }, { who: 'viewer', path: '/api/v1/notification-rules', expect: 200 }],
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
  'PATCH /api/v1/notification-rules/:id': async () => {
    const rule = await ruleOf(viewer)
    expect(await status(user, 'PATCH', `/api/v1/notification-rules/${rule}`, { cooldown_s: 5 })).toBe(404)
    expect(await status(viewer, 'PATCH', `/api/v1/notification-rules/${rule}`, { cooldown_s: 5 })).toBe(200)
  },
  'DELETE /api/v1/notification-rules/:id': async () => {
    const rule = await ruleOf(viewer)
    expect(await status(user, 'DELETE', `/api/v1/notification-rules/${rule}`)).toBe(404)
    expect(await status(viewer, 'DELETE', `/api/v1/notification-rules/${rule}`)).toBe(204)
  },
  'POST /api/v1/notification-templates/preview': [
    { who: 'anon', path: '/api/v1/notification-templates/preview', json: { channel_type: 'slack' }, expect: 401 },
    { who: 'viewer', path: '/api/v1/notification-templates/preview', json: { channel_type: 'slack', template: '{{ streamer.slug }}' }, expect: 200 },
    { who: 'viewer', path: '/api/v1/notification-templates/preview', json: { channel_type: 'slack', template: '{% if %}' }, expect: 422 },
  ],
  'GET /api/v1/notification-deliveries': [
    { who: 'anon', path: '/api/v1/notification-deliveries', expect: 401 },
    { who: 'viewer', path: '/api/v1/notification-deliveries?limit=5', expect: 200 },
    { who: 'viewer', path: '/api/v1/notification-deliveries?limit=0', expect: 422 },
  ],
  'GET /notifications': [{ who: 'anon', path: '/notifications', expect: 303 }, { who: 'viewer', path: '/notifications', expect: 200 }],
  'GET /notifications/deliveries': [{ who: 'anon', path: '/notifications/deliveries', expect: 401 }, { who: 'viewer', path: '/notifications/deliveries', expect: 200 }],
  'POST /notifications/channels': [
    { who: 'anon', path: '/notifications/channels', form: { type: 'slack', name: 'x' }, expect: 401 },
    { who: 'viewer', path: '/notifications/channels', form: { type: 'webhook', name: 'page hook', url: 'http://127.0.0.1:9/hook' }, expect: 201 },
    { who: 'viewer', path: '/notifications/channels', form: { type: 'webhook', name: 'page hook', url: 'http://127.0.0.1:9/hook' }, noCsrf: true, expect: 403 },
    { who: 'viewer', path: '/notifications/channels', form: { type: 'discord', name: 'bad', webhook_url: 'nope' }, expect: 422 },
  ],
  'POST /notifications/channels/:id/test': async () => {
    const id = await channelOf(viewer)
    expect(await status(user, 'POST', `/notifications/channels/${id}/test`, {})).toBe(404)
    expect(await status(viewer, 'POST', `/notifications/channels/${id}/test`, {})).toBe(200)
  },
  'DELETE /notifications/channels/:id': async () => {
    const id = await channelOf(viewer)
    expect(await status(user, 'DELETE', `/notifications/channels/${id}`)).toBe(404)
    expect(await status(viewer, 'DELETE', `/notifications/channels/${id}`)).toBe(200)
  },
  'POST /notifications/rules': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'POST', '/notifications/rules', { channel_id: String(id), streamers: slug.A, events: ['online', 'offline'] }, 'form')).toBe(201)
    expect(await status(user, 'POST', '/notifications/rules', { channel_id: String(id), all: '1', events: 'online' }, 'form')).toBe(404)
    expect(await status(viewer, 'POST', '/notifications/rules', { channel_id: String(id), all: '1' }, 'form')).toBe(422)
  },
  'DELETE /notifications/rules/:id': async () => {
    const rule = await ruleOf(viewer)
    expect(await status(user, 'DELETE', `/notifications/rules/${rule}`)).toBe(404)
    expect(await status(viewer, 'DELETE', `/notifications/rules/${rule}`)).toBe(200)
  },
  'POST /notifications/preview': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'POST', '/notifications/preview', { channel_id: String(id), template: 'hi {{ streamer.slug }}' }, 'form')).toBe(200)
    expect(await status(user, 'POST', '/notifications/preview', { channel_id: String(id), template: 'x' }, 'form')).toBe(404)
  },
  'GET /notifications/notify-me/:slug': [
    { who: 'anon', path: `/notifications/notify-me/${A}`, expect: 401 },
    { who: 'viewer', path: `/notifications/notify-me/${A}`, expect: 200 },
    { who: 'viewer', path: `/notifications/notify-me/${B}`, expect: 404 },
  ],
  'POST /notifications/notify-me/:slug': async () => {
    const id = await channelOf(viewer)
    expect(await status(viewer, 'POST', `/notifications/notify-me/${slug.A}`, { channel_id: String(id) }, 'form')).toBe(200)
    expect(await status(viewer, 'POST', `/notifications/notify-me/${slug.B}`, { channel_id: String(id) }, 'form')).toBe(422)
    expect(await status(user, 'POST', `/notifications/notify-me/${slug.A}`, { channel_id: String(id) }, 'form')).toBe(404)
  },
  'DELETE /notifications/notify-me/:slug/:id': async () => {
    const rule = await ruleOf(viewer)
    expect(await status(user, 'DELETE', `/notifications/notify-me/${slug.A}/${rule}`)).toBe(404)
    expect(await status(viewer, 'DELETE', `/notifications/notify-me/${slug.A}/${rule}`)).toBe(200)
  },
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
