// Role × operation × object: every endpoint of the contract, asked by every kind of actor,
// about their own objects and someone else's. A new endpoint without rows here fails.
import { adminSubject, AuthInternalApi } from '../../../shared/src/contracts/auth-internal.ts'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AuthApi, type Actor, type AuthEndpointName } from '../../../shared/src/contracts/auth.ts'
import { PublicApi } from '../../../shared/src/contracts/public.ts'
import { AppError, type ErrorCode } from '../../../shared/src/errors.ts'
import { startAuthHarness, type AuthHarness, type FixtureUser } from './harness.ts'

type Who = 'admin' | 'user' | 'viewer' | 'system' | 'admin_read_key' | 'user_read_key' | 'user_write_key' | 'anonymous'
const WHO: Who[] = ['admin', 'user', 'viewer', 'system', 'admin_read_key', 'user_read_key', 'user_write_key', 'anonymous']
const SHORT: Record<string, Who> = { A: 'admin', U: 'user', V: 'viewer', S: 'system', AR: 'admin_read_key', UR: 'user_read_key', UW: 'user_write_key', X: 'anonymous' }
type Outcome = 'ok' | ErrorCode

type Ctx = { h: AuthHarness; who: Who; me: FixtureUser; other: FixtureUser; actor: Actor; token?: string; key?: string; n: number }
type Row = { name: AuthEndpointName; object: 'self' | 'other' | 'none' | 'reveal' | 'self_role'; body: (c: Ctx) => Promise<Record<string, unknown>> | Record<string, unknown>; expect: Record<Who, Outcome>; noActor?: boolean }

/** `ok` lists who succeeds (A U V S AR UR UW X); everyone else gets `rest`; anonymous gets UNAUTHENTICATED. */
function exp(ok: string, rest: Outcome = 'FORBIDDEN', overrides: Partial<Record<keyof typeof SHORT, Outcome>> = {}): Record<Who, Outcome> {
  const okSet = new Set(ok.split(' ').filter(Boolean).map((s) => SHORT[s]))
  const out = Object.fromEntries(WHO.map((w) => [w, okSet.has(w) ? 'ok' : w === 'anonymous' ? 'UNAUTHENTICATED' : rest])) as Record<Who, Outcome>
  for (const [k, v] of Object.entries(overrides)) out[SHORT[k]!] = v!
  return out
}

const unique = (c: Ctx, p: string) => `${p}${c.n}${c.who.replace(/_/g, '')}`
const newSessionOf = async (c: Ctx, u: FixtureUser) => ({ session_id: (await c.h.session(u)).session_id })
const newKeyOf = async (c: Ctx, u: FixtureUser) => ({ key_id: (await c.h.apiKey(u, 'read')).id })
const withConfig = async (c: Ctx, encrypt = false) => {
  const key = unique(c, 'cfg.')
  await c.h.call('configSet', { actor: { system: 'test' }, key, value: 'hunter22', encrypt })
  return key
}

const ROWS: Row[] = [
  // sessions
  { name: 'login', object: 'self', noActor: true, body: (c) => ({ username: c.me.username, password: c.me.password, ip: `10.9.${c.n % 250}.1` }), expect: exp('A U V S AR UR UW X') },
  { name: 'verify', object: 'self', noActor: true, body: (c) => ({ token: c.token ?? c.key ?? 'not-a-token' }), expect: exp('A U V', 'UNAUTHENTICATED') },
  { name: 'logout', object: 'self', body: () => ({}), expect: exp('A U V', 'BAD_REQUEST') },
  { name: 'sessionsList', object: 'self', body: (c) => ({ user_id: c.me.id }), expect: exp('A U V S AR UR UW') },
  { name: 'sessionsList', object: 'other', body: (c) => ({ user_id: c.other.id }), expect: exp('A S AR') },
  { name: 'sessionsRevoke', object: 'self', body: (c) => newSessionOf(c, c.me), expect: exp('A U V S UW') },
  { name: 'sessionsRevoke', object: 'other', body: (c) => newSessionOf(c, c.other), expect: exp('A S', 'FORBIDDEN', { U: 'NOT_FOUND', V: 'NOT_FOUND', UW: 'NOT_FOUND' }) },
  // users
  { name: 'usersCreate', object: 'none', body: (c) => ({ username: unique(c, 'new'), password: 'a-good-password-1', role: 'viewer' }), expect: exp('A S') },
  { name: 'usersList', object: 'none', body: () => ({}), expect: exp('A S AR') },
  { name: 'usersGet', object: 'self', body: (c) => ({ user_id: c.me.id }), expect: exp('A U V S AR UR UW') },
  { name: 'usersGet', object: 'other', body: (c) => ({ user_id: c.other.id }), expect: exp('A S AR') },
  { name: 'usersUpdate', object: 'self', body: (c) => ({ user_id: c.me.id, display_name: 'New Name' }), expect: exp('A U V S UW') },
  { name: 'usersUpdate', object: 'self_role', body: (c) => ({ user_id: c.me.id, role: 'viewer' }), expect: exp('A S') },
  { name: 'usersUpdate', object: 'other', body: (c) => ({ user_id: c.other.id, display_name: 'Renamed' }), expect: exp('A S') },
  { name: 'usersDelete', object: 'self', body: (c) => ({ user_id: c.me.id }), expect: exp('S', 'FORBIDDEN', { A: 'CONFLICT' }) },
  { name: 'usersDelete', object: 'other', body: (c) => ({ user_id: c.other.id }), expect: exp('A S') },
  // One's own password changes only with the current one (account.change_password), admins included.
  { name: 'usersSetPassword', object: 'self', body: (c) => ({ user_id: c.me.id, password: 'another-good-pass-2' }), expect: exp('S') },
  { name: 'usersSetPassword', object: 'other', body: (c) => ({ user_id: c.other.id, password: 'another-good-pass-2' }), expect: exp('A S') },
  { name: 'accountGet', object: 'self', body: () => ({}), expect: exp('A U V AR UR UW', 'FORBIDDEN', { S: 'BAD_REQUEST' }) },
  { name: 'accountChangePassword', object: 'self', body: (c) => ({ current_password: c.me.password, new_password: 'brand-new-secret-9' }), expect: exp('A U V UW', 'FORBIDDEN', { S: 'BAD_REQUEST' }) },
  // assignments
  { name: 'assignmentsGet', object: 'self', body: (c) => ({ user_id: c.me.id }), expect: exp('A U V S AR UR UW') },
  { name: 'assignmentsGet', object: 'other', body: (c) => ({ user_id: c.other.id }), expect: exp('A S AR') },
  { name: 'assignmentsSet', object: 'self', body: (c) => ({ user_id: c.me.id, slugs: ['alpha', 'beta'] }), expect: exp('A S') },
  { name: 'assignmentsSet', object: 'other', body: (c) => ({ user_id: c.other.id, slugs: ['alpha'] }), expect: exp('A S') },
  { name: 'assignmentsAdd', object: 'self', body: (c) => ({ user_id: c.me.id, slug: 'gamma' }), expect: exp('A U S UW') },
  { name: 'assignmentsAdd', object: 'other', body: (c) => ({ user_id: c.other.id, slug: 'gamma' }), expect: exp('A S') },
  {
    name: 'assignmentsRemove', object: 'self',
    body: async (c) => (await c.h.db.sql`insert into user_streamers values (${c.me.id}, 'delta')`, { user_id: c.me.id, slug: 'delta' }),
    expect: exp('A U S UW'),
  },
  {
    name: 'assignmentsRemove', object: 'other',
    body: async (c) => (await c.h.db.sql`insert into user_streamers values (${c.other.id}, 'delta')`, { user_id: c.other.id, slug: 'delta' }),
    expect: exp('A S'),
  },
  { name: 'accessVisible', object: 'self', body: () => ({}), expect: exp('A U V S AR UR UW') },
  { name: 'accessVisible', object: 'other', body: (c) => ({ user_id: c.other.id }), expect: exp('A S AR') },
  // API keys
  { name: 'apikeysCreate', object: 'self', body: (c) => ({ name: 'k', scope: 'read', user_id: c.me.id }), expect: exp('A U V S') },
  { name: 'apikeysCreate', object: 'other', body: (c) => ({ name: 'k', scope: 'read', user_id: c.other.id }), expect: exp('S') },
  { name: 'apikeysList', object: 'self', body: (c) => ({ user_id: c.me.id }), expect: exp('A U V S AR UR UW') },
  { name: 'apikeysList', object: 'other', body: (c) => ({ user_id: c.other.id }), expect: exp('A S AR') },
  { name: 'apikeysRevoke', object: 'self', body: (c) => newKeyOf(c, c.me), expect: exp('A U V S UW') },
  { name: 'apikeysRevoke', object: 'other', body: (c) => newKeyOf(c, c.other), expect: exp('A S', 'FORBIDDEN', { U: 'NOT_FOUND', V: 'NOT_FOUND', UW: 'NOT_FOUND' }) },
  { name: 'apikeysVerify', object: 'self', noActor: true, body: (c) => ({ api_key: c.key ?? c.token ?? 'kmk_nope' }), expect: exp('AR UR UW', 'UNAUTHENTICATED') },
  // configuration
  { name: 'configGet', object: 'none', body: async (c) => ({ key: await withConfig(c) }), expect: exp('A S AR') },
  { name: 'configGet', object: 'reveal', body: async (c) => ({ key: await withConfig(c, true), reveal: true }), expect: exp('S') },
  { name: 'configList', object: 'none', body: () => ({}), expect: exp('A S AR') },
  { name: 'configSet', object: 'none', body: (c) => ({ key: unique(c, 'set.'), value: 'v' }), expect: exp('A S') },
  { name: 'configDelete', object: 'none', body: async (c) => ({ key: await withConfig(c) }), expect: exp('A S') },
  // audit
  { name: 'auditList', object: 'none', body: () => ({}), expect: exp('A S AR') },
  { name: 'auditStreamer', object: 'none', body: () => ({ change: 'added', slug: 'epsilon' }), expect: exp('A U S UW') },
  { name: 'auditStreamer', object: 'none', body: () => ({ change: 'removed', slug: 'epsilon' }), expect: exp('A S') },
  { name: 'auditStreamer', object: 'none', body: () => ({ change: 'resumed', slug: 'epsilon' }), expect: exp('A U S UW') },
  { name: 'auditStreamer', object: 'none', body: () => ({ change: 'purged', slug: 'epsilon', purged: { events: 1, sessions: 1, samples: 2 } }), expect: exp('A S') },
]

let h: AuthHarness
beforeAll(async () => {
  h = await startAuthHarness()
})
afterAll(() => h.stop())

let n = 0
async function context(who: Who): Promise<Ctx> {
  const role = who === 'admin' || who === 'admin_read_key' ? 'admin' : who === 'viewer' ? 'viewer' : 'user'
  const me = await h.user(role)
  const other = await h.user('user')
  const c: Ctx = { h, who, me, other, actor: { system: 'test' }, n: ++n }
  if (who === 'admin' || who === 'user' || who === 'viewer') {
    c.token = (await h.session(me)).token
    c.actor = { session: c.token }
  } else if (who.endsWith('_key')) {
    c.key = (await h.apiKey(me, who.endsWith('read_key') ? 'read' : 'write')).key
    c.actor = { api_key: c.key }
  } else if (who === 'anonymous') c.actor = { session: 'not-a-jwt' }
  return c
}

async function outcome(name: AuthEndpointName, body: Record<string, unknown>): Promise<Outcome> {
  try {
    await h.call(name, body as never)
    return 'ok'
  } catch (e) {
    if (e instanceof AppError) return e.code
    throw e
  }
}

test('the table covers every endpoint of the contract, and the service registers exactly those', async () => {
  const contract = Object.keys(AuthApi).sort()
  expect([...new Set(ROWS.map((r) => r.name as string))].sort()).toEqual(contract)
  const info = (await h.nc.request('$SRV.INFO.auth', '', { timeout: 2000 })).json<{ name: string; endpoints: { subject: string }[] }>()
  expect(info.name).toBe('auth')
  // Each endpoint taking an actor is also served on auth.admin.* (system actors), plus the narrow internal ones.
  const withActor = Object.values(AuthApi).filter((a) => 'actor' in (a.input as unknown as { shape: object }).shape)
  // Status pages and share links have their own contract and table (public-pages.test.ts).
  const pub = Object.values(PublicApi)
  const pubWithActor = pub.filter((a) => 'actor' in (a.input as unknown as { shape: object }).shape)
  const expected = [
    ...Object.values(AuthApi).map((a) => a.subject), ...withActor.map((a) => adminSubject(a.subject)), ...Object.values(AuthInternalApi).map((a) => a.subject),
    ...pub.map((a) => a.subject), ...pubWithActor.map((a) => adminSubject(a.subject)),
  ]
  expect(info.endpoints.map((e) => e.subject).sort()).toEqual(expected.sort())
  expect(withActor.length).toBe(Object.keys(AuthApi).length - 3) // all but login, session verify and API key verify
})

describe('role × operation × object', () => {
  for (const row of ROWS) {
    test(`${AuthApi[row.name].subject} (${row.object})`, async () => {
      const got: Partial<Record<Who, Outcome>> = {}
      for (const who of WHO) {
        const c = await context(who)
        const body = await row.body(c)
        got[who] = await outcome(row.name, row.noActor ? body : { ...body, actor: c.actor })
      }
      expect(got).toEqual(row.expect)
    })
  }
})

describe('insecure direct object references: two users swap ids', () => {
  test('alice cannot read or change anything of bob’s, and bob’s things are untouched', async () => {
    const alice = await h.user('user')
    const bob = await h.user('user')
    const a = { session: (await h.session(alice)).token }
    const bobSession = await h.session(bob)
    const bobKey = await h.apiKey(bob, 'write')
    await h.call('assignmentsSet', { actor: { system: 'test' }, user_id: bob.id, slugs: ['bobs-streamer'] })

    const attempts: [AuthEndpointName, Record<string, unknown>][] = [
      ['usersGet', { user_id: bob.id }],
      ['usersUpdate', { user_id: bob.id, display_name: 'pwned' }],
      ['usersDelete', { user_id: bob.id }],
      ['usersSetPassword', { user_id: bob.id, password: 'taken-over-123' }],
      ['sessionsList', { user_id: bob.id }],
      ['sessionsRevoke', { session_id: bobSession.session_id }],
      ['apikeysList', { user_id: bob.id }],
      ['apikeysRevoke', { key_id: bobKey.id }],
      ['apikeysCreate', { user_id: bob.id, name: 'mine now', scope: 'write' }],
      ['assignmentsGet', { user_id: bob.id }],
      ['assignmentsSet', { user_id: bob.id, slugs: [] }],
      ['assignmentsAdd', { user_id: bob.id, slug: 'evil' }],
      ['assignmentsRemove', { user_id: bob.id, slug: 'bobs-streamer' }],
      ['accessVisible', { user_id: bob.id }],
    ]
    for (const [name, body] of attempts) {
      const e = await h.fail(name, { ...body, actor: a })
      expect([name, ['FORBIDDEN', 'NOT_FOUND'].includes(e.code)]).toEqual([name, true])
    }
    // Bob is exactly as before.
    expect((await h.call('verify', { token: bobSession.token })).user.id).toBe(bob.id)
    expect((await h.call('apikeysVerify', { api_key: bobKey.key })).user.id).toBe(bob.id)
    expect((await h.call('usersGet', { actor: { system: 'test' }, user_id: bob.id })).display_name).toBeNull()
    expect((await h.call('assignmentsGet', { actor: { system: 'test' }, user_id: bob.id })).slugs).toEqual(['bobs-streamer'])
    // And alice's own view of the world does not include bob's streamer.
    expect(await h.call('accessVisible', { actor: a })).toEqual({ all: false, slugs: [] })
  })
})
