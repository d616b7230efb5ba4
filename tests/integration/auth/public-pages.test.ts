// Status pages and share links as auth keeps them: who may define pages, the validation of a
// page definition, and every way a share link stops working (revoked, expired, creator
// disabled, deleted or downgraded, streamer no longer visible) with one answer for all.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { z } from 'zod'
import { AppError } from '../../../shared/src/errors.ts'
import { adminSubject } from '../../../shared/src/contracts/auth-internal.ts'
import { PublicApi, type PublicEndpointName } from '../../../shared/src/contracts/public.ts'
import { request } from '../../../shared/src/rpc.ts'
import { collect, startAuthHarness, type AuthHarness, type FixtureUser } from './harness.ts'

let h: AuthHarness
let admin: FixtureUser, user: FixtureUser, viewer: FixtureUser
let adminTok: string, userTok: string, viewerTok: string

const call = <K extends PublicEndpointName>(name: K, body: unknown) =>
  request(h.nc, PublicApi[name].subject, body, PublicApi[name].output as z.ZodType) as Promise<z.infer<(typeof PublicApi)[K]['output']>>
const fail = async (name: PublicEndpointName, body: unknown): Promise<AppError> => {
  const e = await call(name, body).then(() => null, (err) => err)
  if (!(e instanceof AppError)) throw new Error(`${name} did not fail with an AppError: ${e}`)
  return e
}
const page = (slug: string, over: Record<string, unknown> = {}) => ({
  slug, title: 'Our team', streamers: ['alpha', 'beta'], show_viewers: true, show_history: false, ...over,
})

beforeAll(async () => {
  h = await startAuthHarness()
  admin = await h.user('admin')
  user = await h.user('user')
  viewer = await h.user('viewer')
  adminTok = (await h.session(admin)).token
  userTok = (await h.session(user)).token
  viewerTok = (await h.session(viewer)).token
  await h.call('assignmentsSet', { actor: { system: 'test' }, user_id: user.id, slugs: ['alpha', 'beta'] })
  await h.call('assignmentsSet', { actor: { system: 'test' }, user_id: viewer.id, slugs: ['alpha'] })
}, 60_000)
afterAll(() => h?.stop())

describe('status pages', () => {
  test('an admin creates, changes and deletes a page; everyone else is refused; the gateway hears of each change', async () => {
    const changes = collect<{ slug: string }>(h.nc, 'kickmon.auth.pages.changed')
    await changes.flush()
    const created = await call('pagesCreate', { actor: { session: adminTok }, page: page('team-a', { description: 'who is live', embed_origins: ['https://example.com'] }) })
    expect(created).toMatchObject({ slug: 'team-a', streamers: ['alpha', 'beta'], description: 'who is live', embed_origins: ['https://example.com'] })
    expect((await changes.next(2000)).slug).toBe('team-a')

    expect((await fail('pagesCreate', { actor: { session: userTok }, page: page('team-u') })).code).toBe('FORBIDDEN')
    expect((await fail('pagesCreate', { actor: { session: viewerTok }, page: page('team-v') })).code).toBe('FORBIDDEN')
    expect((await fail('pagesList', { actor: { session: userTok } })).code).toBe('FORBIDDEN')
    expect((await fail('pagesCreate', { actor: { session: adminTok }, page: page('team-a') })).code).toBe('CONFLICT')

    const changed = await call('pagesUpdate', { actor: { session: adminTok }, slug: 'team-a', patch: { streamers: ['gamma'], show_viewers: false } })
    expect(changed).toMatchObject({ streamers: ['gamma'], show_viewers: false, title: 'Our team', description: 'who is live' })
    expect((await changes.next(2000)).slug).toBe('team-a')
    // Anonymous readers (the gateway's public routes) see the same definition.
    const pub = await call('publicPages', {})
    expect(pub.pages.find((p) => p.slug === 'team-a')?.streamers).toEqual(['gamma'])

    await call('pagesDelete', { actor: { session: adminTok }, slug: 'team-a' })
    expect((await changes.next(2000)).slug).toBe('team-a')
    expect((await fail('pagesGet', { actor: { session: adminTok }, slug: 'team-a' })).code).toBe('NOT_FOUND')
    expect((await call('publicPages', {})).pages.some((p) => p.slug === 'team-a')).toBe(false)
    changes.stop()
  })

  test('a bad definition is refused naming the field, and nothing is stored', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [page('Bad Slug'), 'page.slug'],
      [page('ok-1', { title: '' }), 'page.title'],
      [page('ok-2', { streamers: [] }), 'page.streamers'],
      [page('ok-3', { streamers: ['not a slug!'] }), 'page.streamers.0'],
      [page('ok-4', { streamers: Array.from({ length: 101 }, (_, i) => `s${i}`) }), 'page.streamers'],
      [page('ok-5', { show_viewers: 'yes' }), 'page.show_viewers'],
      [page('ok-6', { embed_origins: ['https://example.com/path'] }), 'page.embed_origins.0'],
      [page('ok-7', { description: 'x'.repeat(501) }), 'page.description'],
    ]
    for (const [p, field] of bad) {
      const e = await fail('pagesCreate', { actor: { session: adminTok }, page: p })
      expect(e.code).toBe('VALIDATION')
      expect(e.message.startsWith(`${field}:`)).toBe(true)
    }
    expect((await call('pagesList', { actor: { session: adminTok } })).pages.filter((p) => p.slug.startsWith('ok-'))).toEqual([])
  })
})

describe('share links', () => {
  const streamer = (slug: string) => ({ type: 'streamer', slug })

  test('any user makes links for streamers they can see, never for others', async () => {
    const mine = await call('shareCreate', { actor: { session: viewerTok }, target: streamer('alpha'), expires_in_s: 3600 })
    expect(mine.user_id).toBe(viewer.id)
    expect(Date.parse(mine.expires_at) - Date.now()).toBeGreaterThan(3500_000)
    const e = await fail('shareCreate', { actor: { session: viewerTok }, target: streamer('beta'), expires_in_s: 3600 })
    expect(e.code).toBe('NOT_FOUND')
    const view = await call('shareCreate', { actor: { session: userTok }, target: { type: 'view', slugs: ['beta', 'alpha'], title: 'duo' }, expires_in_s: 600 })
    expect(view.target).toEqual({ type: 'view', slugs: ['alpha', 'beta'], title: 'duo' })
    expect((await call('publicShare', { id: view.id })).id).toBe(view.id)
    // Listing shows one's own links only.
    const list = await call('shareList', { actor: { session: viewerTok } })
    expect(list.links.map((l) => l.id)).toEqual([mine.id])
  })

  test('at most 30 days, at least a minute; a malformed target names the field', async () => {
    expect((await fail('shareCreate', { actor: { session: userTok }, target: streamer('alpha'), expires_in_s: 31 * 86_400 })).message).toStartWith('expires_in_s:')
    expect((await fail('shareCreate', { actor: { session: userTok }, target: streamer('alpha'), expires_in_s: 10 })).code).toBe('VALIDATION')
    expect((await fail('shareCreate', { actor: { session: userTok }, target: { type: 'page' }, expires_in_s: 600 })).message).toStartWith('target.type:')
  })

  test('revoked: refused at once, and gateways are told', async () => {
    const revoked = collect<{ ids: string[]; user_id: number }>(h.nc, 'kickmon.auth.sharelinks.revoked')
    await revoked.flush()
    const l = await call('shareCreate', { actor: { session: userTok }, target: streamer('alpha'), expires_in_s: 600 })
    // Someone else cannot revoke it (it looks missing to them); its creator can.
    expect((await fail('shareRevoke', { actor: { session: viewerTok }, id: l.id })).code).toBe('NOT_FOUND')
    await call('shareRevoke', { actor: { session: userTok }, id: l.id })
    expect(await revoked.next(2000)).toEqual({ ids: [l.id], user_id: user.id })
    const e = await fail('publicShare', { id: l.id })
    expect([e.code, e.message]).toEqual(['NOT_FOUND', 'this link has expired'])
    revoked.stop()
  })

  test('expired, creator disabled, deleted, downgraded, or streamer unassigned: the same answer', async () => {
    const u = await h.user('user')
    const tok = (await h.session(u)).token
    await h.call('assignmentsSet', { actor: { system: 'test' }, user_id: u.id, slugs: ['alpha', 'beta'] })
    const make = async (slug = 'alpha') => (await call('shareCreate', { actor: { session: tok }, target: streamer(slug), expires_in_s: 600 })).id
    const expectDead = async (id: string) => {
      const e = await fail('publicShare', { id })
      expect([e.code, e.message]).toEqual(['NOT_FOUND', 'this link has expired'])
    }

    const expired = await make()
    await h.db.sql`update share_links set expires_at = now() - interval '1 second' where id = ${expired}`
    await expectDead(expired)

    const unassigned = await make('beta')
    const stillGood = await make('alpha')
    await h.call('assignmentsSet', { actor: { system: 'test' }, user_id: u.id, slugs: ['alpha'] })
    await expectDead(unassigned)
    expect((await call('publicShare', { id: stillGood })).id).toBe(stillGood)

    await h.call('usersUpdate', { actor: { system: 'test' }, user_id: u.id, role: 'viewer' })
    await expectDead(stillGood)
    // Made as a viewer, a viewer's link works; disabling stops it; so does deleting.
    const tok2 = (await h.session(u)).token
    const asViewer = (await call('shareCreate', { actor: { session: tok2 }, target: streamer('alpha'), expires_in_s: 600 })).id
    expect((await call('publicShare', { id: asViewer })).id).toBe(asViewer)
    await h.call('usersUpdate', { actor: { system: 'test' }, user_id: u.id, disabled: true })
    await expectDead(asViewer)
    await h.call('usersUpdate', { actor: { system: 'test' }, user_id: u.id, disabled: false })
    expect((await call('publicShare', { id: asViewer })).id).toBe(asViewer)
    await h.call('usersDelete', { actor: { system: 'test' }, user_id: u.id })
    await expectDead(asViewer)
    await expectDead(crypto.randomUUID())
  })

  test('a read-only API key lists but does not create or revoke', async () => {
    const key = (await h.apiKey(user, 'read')).key
    expect((await call('shareList', { actor: { api_key: key } })).links.length).toBeGreaterThan(0)
    expect((await fail('shareCreate', { actor: { api_key: key }, target: streamer('alpha'), expires_in_s: 600 })).code).toBe('FORBIDDEN')
  })
})

describe('who may call what', () => {
  type Who = 'admin' | 'user' | 'viewer' | 'userReadKey' | 'anonymous' | 'system'
  const WHO: Who[] = ['admin', 'user', 'viewer', 'userReadKey', 'anonymous', 'system']
  /** The outcome of each endpoint for each caller (system actors on auth.admin.*, as the operator). */
  const TABLE: Record<PublicEndpointName, { body: (n: number) => Record<string, unknown>; expect: Record<Who, string> }> = {
    pagesList: { body: () => ({}), expect: { admin: 'ok', user: 'FORBIDDEN', viewer: 'FORBIDDEN', userReadKey: 'FORBIDDEN', anonymous: 'UNAUTHENTICATED', system: 'ok' } },
    pagesGet: { body: () => ({ slug: 'nope' }), expect: { admin: 'NOT_FOUND', user: 'FORBIDDEN', viewer: 'FORBIDDEN', userReadKey: 'FORBIDDEN', anonymous: 'UNAUTHENTICATED', system: 'NOT_FOUND' } },
    pagesCreate: { body: (n) => ({ page: page(`who-${n}`) }), expect: { admin: 'ok', user: 'FORBIDDEN', viewer: 'FORBIDDEN', userReadKey: 'FORBIDDEN', anonymous: 'UNAUTHENTICATED', system: 'ok' } },
    pagesUpdate: { body: () => ({ slug: 'nope', patch: { title: 'x' } }), expect: { admin: 'NOT_FOUND', user: 'FORBIDDEN', viewer: 'FORBIDDEN', userReadKey: 'FORBIDDEN', anonymous: 'UNAUTHENTICATED', system: 'NOT_FOUND' } },
    pagesDelete: { body: () => ({ slug: 'nope' }), expect: { admin: 'NOT_FOUND', user: 'FORBIDDEN', viewer: 'FORBIDDEN', userReadKey: 'FORBIDDEN', anonymous: 'UNAUTHENTICATED', system: 'NOT_FOUND' } },
    shareCreate: { body: () => ({ target: { type: 'streamer', slug: 'alpha' }, expires_in_s: 600 }), expect: { admin: 'ok', user: 'ok', viewer: 'ok', userReadKey: 'FORBIDDEN', anonymous: 'UNAUTHENTICATED', system: 'BAD_REQUEST' } },
    shareList: { body: () => ({}), expect: { admin: 'ok', user: 'ok', viewer: 'ok', userReadKey: 'ok', anonymous: 'UNAUTHENTICATED', system: 'BAD_REQUEST' } },
    shareRevoke: { body: () => ({ id: crypto.randomUUID() }), expect: { admin: 'NOT_FOUND', user: 'NOT_FOUND', viewer: 'NOT_FOUND', userReadKey: 'FORBIDDEN', anonymous: 'UNAUTHENTICATED', system: 'NOT_FOUND' } },
    publicPages: { body: () => ({}), expect: { admin: 'ok', user: 'ok', viewer: 'ok', userReadKey: 'ok', anonymous: 'ok', system: 'ok' } },
    publicShare: { body: () => ({ id: crypto.randomUUID() }), expect: { admin: 'NOT_FOUND', user: 'NOT_FOUND', viewer: 'NOT_FOUND', userReadKey: 'NOT_FOUND', anonymous: 'NOT_FOUND', system: 'NOT_FOUND' } },
  }

  test('every endpoint of the contract, for every kind of caller', async () => {
    expect(Object.keys(TABLE).sort()).toEqual(Object.keys(PublicApi).sort())
    const readKey = (await h.apiKey(user, 'read')).key
    const actors: Record<Who, object | null> = {
      admin: { session: adminTok }, user: { session: userTok }, viewer: { session: viewerTok }, userReadKey: { api_key: readKey },
      anonymous: { session: 'not-a-session' }, system: { system: 'test' },
    }
    const wrong: string[] = []
    let n = 0
    for (const [name, row] of Object.entries(TABLE) as [PublicEndpointName, (typeof TABLE)[PublicEndpointName]][]) {
      const takesActor = 'actor' in (PublicApi[name].input as unknown as { shape: object }).shape
      for (const who of WHO) {
        const body = { ...row.body(++n), ...(takesActor ? { actor: actors[who] } : {}) }
        const subject = takesActor && who === 'system' ? adminSubject(PublicApi[name].subject) : PublicApi[name].subject
        const got = await request(h.nc, subject, body, PublicApi[name].output as z.ZodType).then(() => 'ok', (e) => (e instanceof AppError ? e.code : String(e)))
        if (got !== row.expect[who]) wrong.push(`${name} as ${who}: ${got}, expected ${row.expect[who]}`)
      }
    }
    expect(wrong).toEqual([])
  })
})
