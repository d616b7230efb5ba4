import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose'
import { AccessChangedEvent, SessionsRevokedEvent } from '../../../shared/src/contracts/auth.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { collect, startAuthHarness, type AuthHarness, type FixtureUser } from './harness.ts'

let h: AuthHarness
beforeAll(async () => {
  h = await startAuthHarness()
})
afterAll(() => h.stop())

const sha256 = (s: string) => new Bun.CryptoHasher('sha256').update(s).digest('hex')
const SYS = { system: 'test' } as const
let ipn = 0
const login = (u: FixtureUser, extra: Record<string, string> = {}) =>
  h.call('login', { username: u.username, password: u.password, ip: `10.1.0.${++ipn % 250}`, user_agent: 'bun-test', ...extra })

describe('login and verify', () => {
  test('login answers the contract shape; the JWT is HS256 with iss, aud, sub, sid and exp', async () => {
    const u = await h.user('viewer')
    const r = await login(u)
    expect(r.user).toEqual({ id: u.id, username: u.username, role: 'viewer', display_name: null })
    expect(decodeProtectedHeader(r.token).alg).toBe('HS256')
    const claims = decodeJwt(r.token)
    expect(claims.iss).toBe('kickmon-auth')
    expect(claims.aud).toBe('kickmon-gateway')
    expect(claims.sub).toBe(String(u.id))
    expect(claims.exp).toBe(Math.floor(Date.parse(r.expires_at) / 1000))
    expect(Date.parse(r.expires_at) - Date.now()).toBeGreaterThan(h.config.SESSION_MAX_S * 1000 - 60_000)
    const sid = claims.sid as string
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/) // 256 random bits
    expect(r.session_id).toBe(sha256(sid))
    expect(r.csrf_token).toBe(new Bun.CryptoHasher('sha256', h.config.SESSION_SECRET).update('csrf:' + sid).digest('hex'))

    // Only the hash is stored: the raw id appears nowhere in the row.
    const [row] = await h.db.sql`select * from user_sessions where id_hash = ${r.session_id}`
    expect(row).toBeDefined()
    expect(JSON.stringify(row)).not.toContain(sid)
    expect(row!.ip).toMatch(/^10\.1\.0\./)
    expect(row!.user_agent).toBe('bun-test')

    const v = await h.call('verify', { token: r.token })
    expect(v).toEqual({ session_id: r.session_id, user: r.user, csrf_token: r.csrf_token, expires_at: r.expires_at })
  })

  test('session fixation: every login issues a new session id and token', async () => {
    const u = await h.user('user')
    const a = await login(u)
    const b = await login(u)
    expect(a.session_id).not.toBe(b.session_id)
    expect(a.token).not.toBe(b.token)
    expect(a.csrf_token).not.toBe(b.csrf_token)
    // A token cannot carry a chosen session id: a forged sid is refused.
    const forged = await new SignJWT({ sid: 'A'.repeat(43) }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(u.id))
      .setIssuer('kickmon-auth').setAudience('kickmon-gateway').setExpirationTime('1h').sign(new TextEncoder().encode('wrong-secret-wrong-secret-wrong-secret'))
    expect((await h.fail('verify', { token: forged })).code).toBe('UNAUTHENTICATED')
  })

  test('tokens that are forged, tampered, for another audience, unsigned or expired are refused', async () => {
    const u = await h.user('user')
    const r = await login(u)
    const sid = decodeJwt(r.token).sid as string
    const key = new TextEncoder().encode(h.config.SESSION_SECRET)
    const base = () => new SignJWT({ sid }).setSubject(String(u.id)).setIssuer('kickmon-auth').setAudience('kickmon-gateway').setExpirationTime('1h')
    const [hdr, payload, sig] = r.token.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    const otherSub = Buffer.from(JSON.stringify({ ...claims, sub: String(u.id + 1) })).toString('base64url')
    const bad = [
      `${hdr}.${otherSub}.${sig}`, // tampered payload
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`, // alg none
      await base().setProtectedHeader({ alg: 'HS512' }).sign(new Uint8Array(64).fill(1)), // other algorithm
      await base().setProtectedHeader({ alg: 'HS256' }).setAudience('someone-else').sign(key), // wrong audience
      await base().setProtectedHeader({ alg: 'HS256' }).setIssuer('someone-else').sign(key), // wrong issuer
      await new SignJWT({ sid }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(u.id)).setIssuer('kickmon-auth').setAudience('kickmon-gateway').setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(key), // expired
      await base().setProtectedHeader({ alg: 'HS256' }).setSubject(String(u.id + 1)).sign(key), // right secret, someone else's sub
      'garbage', '', 'a.b.c',
    ]
    for (const token of bad) {
      const e = token ? await h.fail('verify', { token }) : await h.fail('verify', { token })
      expect(e.code).toBe(token ? 'UNAUTHENTICATED' : 'VALIDATION')
    }
    expect((await h.call('verify', { token: r.token })).user.id).toBe(u.id) // the real one still works
  })

  test('idle timeout and absolute lifetime end a session; last_seen is written at most every 30 s', async () => {
    const u = await h.user('user')
    const r = await login(u)
    const seen = async () => (await h.db.sql`select last_seen_at from user_sessions where id_hash = ${r.session_id}`)[0]!.last_seen_at as Date
    const first = await seen()
    await h.call('verify', { token: r.token })
    expect((await seen()).getTime()).toBe(first.getTime()) // fresh: no write
    await h.db.sql`update user_sessions set last_seen_at = now() - interval '60 seconds' where id_hash = ${r.session_id}`
    await h.call('verify', { token: r.token })
    expect(Date.now() - (await seen()).getTime()).toBeLessThan(5000) // bumped

    await h.db.sql`update user_sessions set last_seen_at = now() - make_interval(secs => ${h.config.SESSION_IDLE_S + 5}) where id_hash = ${r.session_id}`
    expect((await h.fail('verify', { token: r.token })).code).toBe('UNAUTHENTICATED')

    const r2 = await login(u)
    await h.db.sql`update user_sessions set expires_at = now() - interval '1 second' where id_hash = ${r2.session_id}`
    expect((await h.fail('verify', { token: r2.token })).code).toBe('UNAUTHENTICATED')
  })

  test('a disabled user cannot log in, with the same answer as a wrong password', async () => {
    const u = await h.user('user', { disabled: true })
    const e = await h.fail('login', { username: u.username, password: u.password, ip: '10.1.1.1' })
    expect([e.code, e.message]).toEqual(['UNAUTHENTICATED', 'invalid username or password'])
  })
})

describe('revocation takes effect at once and is announced within 1 s', () => {
  const watch = () => collect<unknown>(h.nc, subjects.sessionRevoked)
  async function expectRevoked(w: ReturnType<typeof watch>, userId: number, reason: string, ids: string[], t0: number) {
    const msg = SessionsRevokedEvent.parse(await w.next(1000))
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(msg.user_id).toBe(userId)
    expect(msg.reason).toBe(reason as never)
    expect(msg.session_ids.sort()).toEqual(ids.sort())
  }

  test('logout', async () => {
    const u = await h.user('viewer')
    const r = await login(u)
    const w = watch()
    await w.flush()
    const t0 = performance.now()
    expect(await h.call('logout', { actor: { session: r.token } })).toEqual({ ok: true })
    await expectRevoked(w, u.id, 'logout', [r.session_id], t0)
    expect((await h.fail('verify', { token: r.token })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('logout', { actor: { session: r.token } })).code).toBe('UNAUTHENTICATED')
    w.stop()
  })

  test('disabling a user ends all their sessions and API keys stop working', async () => {
    const u = await h.user('user')
    const [a, b] = [await login(u), await login(u)]
    const key = await h.apiKey(u, 'read')
    const w = watch()
    await w.flush()
    const t0 = performance.now()
    await h.call('usersUpdate', { actor: SYS, user_id: u.id, disabled: true })
    await expectRevoked(w, u.id, 'user_disabled', [a.session_id, b.session_id], t0)
    for (const s of [a, b]) expect((await h.fail('verify', { token: s.token })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('apikeysVerify', { api_key: key.key })).code).toBe('UNAUTHENTICATED')
    w.stop()
  })

  test('changing one’s password ends the other sessions, keeps the current one', async () => {
    const u = await h.user('user')
    const [cur, other1, other2] = [await login(u), await login(u), await login(u)]
    const w = watch()
    await w.flush()
    const t0 = performance.now()
    const r = await h.call('accountChangePassword', { actor: { session: cur.token }, current_password: u.password, new_password: 'my-new-password-42' })
    expect(r).toEqual({ ok: true, revoked_sessions: 2 })
    await expectRevoked(w, u.id, 'password_changed', [other1.session_id, other2.session_id], t0)
    expect((await h.call('verify', { token: cur.token })).user.id).toBe(u.id)
    for (const s of [other1, other2]) expect((await h.fail('verify', { token: s.token })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('login', { username: u.username, password: u.password, ip: '10.1.2.1' })).code).toBe('UNAUTHENTICATED')
    expect((await h.call('login', { username: u.username, password: 'my-new-password-42', ip: '10.1.2.1' })).user.id).toBe(u.id)
    w.stop()
  })

  test('an admin password reset, a role change and deleting a user end every session', async () => {
    for (const [change, reason] of [
      [(id: number) => h.call('usersSetPassword', { actor: SYS, user_id: id, password: 'reset-by-admin-1' }), 'password_reset'],
      [(id: number) => h.call('usersUpdate', { actor: SYS, user_id: id, role: 'viewer' }), 'role_changed'],
      [(id: number) => h.call('usersDelete', { actor: SYS, user_id: id }), 'user_deleted'],
    ] as const) {
      const u = await h.user('user')
      const s = await login(u)
      const w = watch()
      await w.flush()
      const t0 = performance.now()
      await change(u.id)
      await expectRevoked(w, u.id, reason, [s.session_id], t0)
      expect((await h.fail('verify', { token: s.token })).code).toBe('UNAUTHENTICATED')
      w.stop()
    }
  })

  test('users list and end their own sessions', async () => {
    const u = await h.user('viewer')
    const [a, b] = [await login(u), await login(u)]
    const list = await h.call('sessionsList', { actor: { session: a.token } })
    expect(list.sessions.map((s) => s.session_id).sort()).toEqual([a.session_id, b.session_id].sort())
    expect(list.sessions.find((s) => s.current)?.session_id).toBe(a.session_id)
    const w = watch()
    await w.flush()
    const t0 = performance.now()
    await h.call('sessionsRevoke', { actor: { session: a.token }, session_id: b.session_id })
    await expectRevoked(w, u.id, 'revoked', [b.session_id], t0)
    expect((await h.fail('verify', { token: b.token })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('sessionsRevoke', { actor: { session: a.token }, session_id: b.session_id })).code).toBe('NOT_FOUND')
    expect((await h.call('sessionsList', { actor: { session: a.token } })).sessions.map((s) => s.session_id)).toEqual([a.session_id])
    w.stop()
  })
})

describe('access changes are announced', () => {
  test('assignment set/add/remove and role changes publish kickmon.auth.access.changed', async () => {
    const u = await h.user('user')
    const s = await login(u)
    const w = collect<unknown>(h.nc, subjects.accessChanged)
    await w.flush()
    const changes: (() => Promise<unknown>)[] = [
      () => h.call('assignmentsSet', { actor: SYS, user_id: u.id, slugs: ['xqc', 'trainwreckstv'] }),
      () => h.call('assignmentsAdd', { actor: { session: s.token }, user_id: u.id, slug: 'adinross' }),
      () => h.call('assignmentsRemove', { actor: { session: s.token }, user_id: u.id, slug: 'xqc' }),
      () => h.call('usersUpdate', { actor: SYS, user_id: u.id, role: 'viewer' }),
    ]
    for (const change of changes) {
      const next = w.next(1000)
      await change()
      expect(AccessChangedEvent.parse(await next)).toEqual({ user_id: u.id })
    }
    expect((await h.call('assignmentsGet', { actor: SYS, user_id: u.id })).slugs).toEqual(['adinross', 'trainwreckstv'])
    // Slugs are normalised like everywhere else (lowercase, trimmed); setting the same set again announces nothing.
    expect((await h.call('assignmentsSet', { actor: SYS, user_id: u.id, slugs: [' AdinRoss ', 'trainwreckstv'] })).slugs).toEqual(['adinross', 'trainwreckstv'])
    await Bun.sleep(100)
    expect(w.got.length).toBe(4)
    w.stop()
  })

  test('access.visible: admins see all, others their assignments', async () => {
    const admin = await h.user('admin')
    const viewer = await h.user('viewer')
    await h.call('assignmentsSet', { actor: SYS, user_id: viewer.id, slugs: ['b-channel', 'a-channel'] })
    const vs = await login(viewer)
    expect(await h.call('accessVisible', { actor: { session: vs.token } })).toEqual({ all: false, slugs: ['a-channel', 'b-channel'] })
    expect(await h.call('accessVisible', { actor: { session: (await login(admin)).token } })).toEqual({ all: true, slugs: [] })
    expect(await h.call('accessVisible', { actor: SYS, user_id: admin.id })).toEqual({ all: true, slugs: [] })
    expect(await h.call('accessVisible', { actor: SYS, user_id: viewer.id })).toEqual({ all: false, slugs: ['a-channel', 'b-channel'] })
    expect((await h.fail('accessVisible', { actor: SYS, user_id: 2_000_000_000 })).code).toBe('NOT_FOUND')
    // Fast: one verify and one query.
    const t0 = performance.now()
    for (let i = 0; i < 50; i++) await h.call('accessVisible', { actor: { session: vs.token } })
    expect((performance.now() - t0) / 50).toBeLessThan(20)
  })
})

test('any junk credential is UNAUTHENTICATED, never a validation error', async () => {
  for (const junk of ['\u0000', 'x'.repeat(4096), '🔑', 'kmk_\u0000', 'Bearer abc']) {
    expect((await h.fail('verify', { token: junk })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('apikeysVerify', { api_key: junk })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('accountGet', { actor: { session: junk } })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('accountGet', { actor: { api_key: junk } })).code).toBe('UNAUTHENTICATED')
  }
})
