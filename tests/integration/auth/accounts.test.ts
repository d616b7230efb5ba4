// Users, password rules, hashing, the first admin, API keys, the configuration store and the audit log.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Writable } from 'node:stream'
import { MASK } from '../../../shared/src/contracts/auth.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { bootstrapAdmin } from '../../../services/auth/src/bootstrap.ts'
import { AuthConfigSchema } from '../../../services/auth/src/config.ts'
import { Passwords, Semaphore } from '../../../services/auth/src/passwords.ts'
import { createTestDb } from '../../harness/infra.ts'
import { ADMIN, startAuthHarness, type AuthHarness } from './harness.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'

let h: AuthHarness
beforeAll(async () => {
  h = await startAuthHarness()
})
afterAll(() => h.stop())

const SYS = { system: 'test' } as const
const sha256 = (s: string) => new Bun.CryptoHasher('sha256').update(s).digest('hex')

describe('users and password rules', () => {
  test('password length is 8–128 characters (code points), no composition rules', async () => {
    const cases: [string, string | null][] = [
      ['short12', 'at least 8'],
      ['x'.repeat(129), 'at most 128'],
      ['🔑'.repeat(7), 'at least 8'], // 14 UTF-16 units, 7 characters
      ['🔑'.repeat(8), null],
      ['y'.repeat(128), null],
      ['all lowercase words here', null],
      ['correct horse battery staple', null],
    ]
    for (const [password, problem] of cases) {
      const body = { actor: SYS, username: 'pw' + crypto.randomUUID().slice(0, 8), password, role: 'viewer' as const }
      if (problem) {
        const e = await h.fail('usersCreate', body)
        expect(e.code).toBe('VALIDATION')
        expect(e.message).toStartWith('password: ')
        expect(e.message).toContain(problem)
      } else expect((await h.call('usersCreate', body)).username).toBe(body.username)
    }
  })

  test('the commonest passwords and the username itself are refused, case-insensitively', async () => {
    for (const password of ['password1', 'BaseBall', 'iloveyou', 'qwertyuiop', '1q2w3e4r']) {
      const e = await h.fail('usersCreate', { actor: SYS, username: 'cp' + crypto.randomUUID().slice(0, 8), password, role: 'user' })
      expect([e.code, e.message]).toEqual(['VALIDATION', 'password: this password is one of the most common passwords; choose another'])
    }
    const e = await h.fail('usersCreate', { actor: SYS, username: 'Samename99', password: 'samename99', role: 'user' })
    expect(e.message).toBe('password: a password must not be the username')
  })

  test('usernames are unique case-insensitively and limited to [A-Za-z0-9_.-]{1,64}', async () => {
    await h.call('usersCreate', { actor: SYS, username: 'Carol.K', password: 'carols-password-1', role: 'user' })
    const dup = await h.fail('usersCreate', { actor: SYS, username: 'carol.k', password: 'carols-password-1', role: 'user' })
    expect([dup.code, dup.message]).toEqual(['CONFLICT', 'the username "carol.k" is taken'])
    for (const username of ['with space', 'ünïcode', '', 'x'.repeat(65), 'semi;colon']) {
      const e = await h.fail('usersCreate', { actor: SYS, username, password: 'carols-password-1', role: 'user' })
      expect(e.code).toBe('VALIDATION')
      expect(e.message).toStartWith('username: ')
    }
    // Login is case-insensitive on the username too.
    expect((await h.call('login', { username: 'CAROL.k', password: 'carols-password-1', ip: '10.2.0.1' })).user.username).toBe('Carol.K')
  })

  test('passwords are stored as argon2id m=19456 t=2 p=1 and rehashed at login when the parameters differ', async () => {
    const created = await h.call('usersCreate', { actor: SYS, username: 'hashcheck', password: 'hash-check-pass', role: 'user' })
    const [row] = await h.db.sql`select password_hash from users where id = ${created.id}`
    expect(row!.password_hash).toStartWith('$argon2id$v=19$m=19456,t=2,p=1$')
    const weak = await Bun.password.hash('hash-check-pass', { algorithm: 'argon2id', memoryCost: 4096, timeCost: 1 })
    await h.db.sql`update users set password_hash = ${weak} where id = ${created.id}`
    await h.call('login', { username: 'hashcheck', password: 'hash-check-pass', ip: '10.2.0.2' })
    const [after] = await h.db.sql`select password_hash from users where id = ${created.id}`
    expect(after!.password_hash).toStartWith('$argon2id$v=19$m=19456,t=2,p=1$')
    expect(await Bun.password.verify('hash-check-pass', after!.password_hash)).toBe(true)
  })

  test('at most two hashes at once; beyond the queue, callers are told to retry', async () => {
    const gate = new Semaphore(2, 3)
    let active = 0
    let peak = 0
    const job = () => gate.run(async () => {
      peak = Math.max(peak, ++active)
      await Bun.sleep(20)
      active--
    })
    const results = await Promise.allSettled(Array.from({ length: 8 }, job))
    expect(peak).toBe(2)
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(5) // 2 running + 3 queued
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED'])
    const pw = new Passwords()
    expect(pw.needsRehash(await pw.hash('x-password-1'))).toBe(false)
    expect(pw.needsRehash('$argon2id$v=19$m=65536,t=2,p=1$abc$def')).toBe(true)
    expect(pw.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true)
  })

  test('update, change own password, delete; the last enabled admin is protected', async () => {
    const [root] = await h.db.sql`select id from users where username = ${ADMIN.username}`
    const rootId = root!.id as number
    for (const patch of [{ role: 'user' as const }, { disabled: true }]) {
      const e = await h.fail('usersUpdate', { actor: SYS, user_id: rootId, ...patch })
      expect([e.code, e.message]).toEqual(['CONFLICT', 'this is the last enabled admin; make another admin first'])
    }
    expect((await h.fail('usersDelete', { actor: SYS, user_id: rootId })).code).toBe('CONFLICT')

    const u = await h.user('viewer')
    const s = await h.session(u)
    expect((await h.call('usersUpdate', { actor: { session: s.token }, user_id: u.id, display_name: '  Vera  ' })).display_name).toBe('Vera')
    expect((await h.call('usersUpdate', { actor: SYS, user_id: u.id, display_name: null })).display_name).toBeNull()
    const wrong = await h.fail('accountChangePassword', { actor: { session: s.token }, current_password: 'not-it-at-all', new_password: 'new-pass-for-u' })
    expect([wrong.code, wrong.message]).toEqual(['VALIDATION', 'current_password: the current password is not right'])
    const common = await h.fail('accountChangePassword', { actor: { session: s.token }, current_password: u.password, new_password: 'password123' })
    expect(common.message).toStartWith('new_password: ')
    const me = await h.call('accountGet', { actor: { session: s.token } })
    expect(me).toEqual({ user: expect.objectContaining({ id: u.id, role: 'viewer' }), via: 'session', scope: 'write', session_id: s.session_id })

    const listed = await h.call('usersList', { actor: SYS, limit: 500 })
    expect(listed.users.some((x) => x.id === u.id)).toBe(true)
    expect(listed.total).toBe(listed.users.length)
    await h.call('usersDelete', { actor: SYS, user_id: u.id })
    expect((await h.fail('usersGet', { actor: SYS, user_id: u.id })).code).toBe('NOT_FOUND')
    expect((await h.fail('usersDelete', { actor: SYS, user_id: u.id })).code).toBe('NOT_FOUND')
  })
})

describe('the first admin', () => {
  test('created once from ADMIN_USERNAME/ADMIN_PASSWORD; a clear warning when the password is unset', async () => {
    const [root] = await h.db.sql`select role, display_name from users where username = ${ADMIN.username}`
    expect(root).toEqual({ role: 'admin', display_name: 'Administrator' })
    expect(await bootstrapAdmin(h.deps)).toBe('exists')
    const { n } = (await h.db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'user.bootstrap'`)[0]!
    expect(n).toBe(1)

    const db = await createTestDb()
    try {
      const lines: string[] = []
      const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) })
      const log = createLogger('auth', 'info', sink)
      const config = parseEnv(AuthConfigSchema, { DATABASE_URL: db.url, ADMIN_USERNAME: 'boss', CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32) })
      expect(await bootstrapAdmin({ ...h.deps, sql: db.sql, log, config })).toBe('skipped')
      await Bun.sleep(10)
      expect(lines.join('')).toContain('no admin account exists and ADMIN_PASSWORD is not set')
      const withPw = parseEnv(AuthConfigSchema, { DATABASE_URL: db.url, ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'a-real-admin-pass', CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32) })
      const deps = { ...h.deps, sql: db.sql, log, config: withPw }
      const both = await Promise.all([bootstrapAdmin(deps), bootstrapAdmin(deps)])
      expect(both.sort()).toEqual(['created', 'exists'])
      const { n: admins } = (await db.sql<{ n: number }[]>`select count(*)::int as n from users where role = 'admin'`)[0]!
      expect(admins).toBe(1)
    } finally {
      await db.drop()
    }
  })
})

describe('API keys', () => {
  test('shown once, stored as SHA-256, verified into an actor, last use recorded', async () => {
    const u = await h.user('user')
    const s = { session: (await h.session(u)).token }
    const created = await h.call('apikeysCreate', { actor: s, name: 'ci pipeline', scope: 'write' })
    expect(created.key).toMatch(/^kmk_[0-9a-f]{8}_[0-9a-f]{64}$/)
    expect(created.key).toStartWith(`kmk_${created.api_key.prefix}_`)
    expect(created.api_key).toMatchObject({ user_id: u.id, name: 'ci pipeline', scope: 'write', last_used_at: null, revoked_at: null })
    const [row] = await h.db.sql`select * from api_keys where id = ${created.api_key.id}`
    expect(row!.key_hash).toBe(sha256(created.key))
    expect(JSON.stringify(row)).not.toContain(created.key.slice(13))
    // Listing never shows the key again.
    const listed = await h.call('apikeysList', { actor: s })
    expect(JSON.stringify(listed)).not.toContain(created.key.slice(13))
    expect(listed.keys.map((k) => k.id)).toEqual([created.api_key.id])

    const v = await h.call('apikeysVerify', { api_key: created.key })
    expect(v).toEqual({ key_id: created.api_key.id, scope: 'write', user: { id: u.id, username: u.username, role: 'user', display_name: null } })
    expect((await h.call('apikeysList', { actor: s })).keys[0]!.last_used_at).not.toBeNull()
    expect(await h.call('accountGet', { actor: { api_key: created.key } })).toMatchObject({ via: 'api_key', scope: 'write', session_id: null })
    // A key cannot mint keys.
    expect((await h.fail('apikeysCreate', { actor: { api_key: created.key }, name: 'x', scope: 'read' })).code).toBe('FORBIDDEN')
  })

  test('a read key reads but changes nothing; a revoked key is rejected', async () => {
    const u = await h.user('user')
    const s = { session: (await h.session(u)).token }
    const { key, api_key } = await h.call('apikeysCreate', { actor: s, name: 'dashboard', scope: 'read' })
    const r = { api_key: key }
    expect((await h.call('accessVisible', { actor: r })).all).toBe(false)
    expect((await h.call('usersGet', { actor: r, user_id: u.id })).id).toBe(u.id)
    for (const [name, body] of [
      ['usersUpdate', { user_id: u.id, display_name: 'nope' }],
      ['assignmentsAdd', { user_id: u.id, slug: 'nope' }],
      ['apikeysRevoke', { key_id: api_key.id }],
      ['accountChangePassword', { current_password: u.password, new_password: 'other-password-1' }],
    ] as const) {
      const e = await h.fail(name, { ...body, actor: r })
      expect([name, e.code, e.message]).toEqual([name, 'FORBIDDEN', 'this API key is read-only'])
    }
    await h.call('apikeysRevoke', { actor: s, key_id: api_key.id })
    expect((await h.fail('apikeysVerify', { api_key: key })).code).toBe('UNAUTHENTICATED')
    expect((await h.fail('accessVisible', { actor: r })).code).toBe('UNAUTHENTICATED')
    expect((await h.call('apikeysList', { actor: s })).keys).toEqual([])
    expect((await h.call('apikeysList', { actor: s, include_revoked: true })).keys[0]!.revoked_at).not.toBeNull()
    for (const bad of ['kmk_', 'kmk_00000000_' + '0'.repeat(64), key.toUpperCase(), key + 'x'])
      expect((await h.fail('apikeysVerify', { api_key: bad })).code).toBe('UNAUTHENTICATED')
  })
})

describe('configuration store', () => {
  test('encrypted values round-trip for a system actor only; the ciphertext never contains the secret', async () => {
    const admin = await h.user('admin')
    const a = { session: (await h.session(admin)).token }
    const secret = 'kick-client-secret-Zq9#' + crypto.randomUUID()
    const set = await h.call('configSet', { actor: a, key: 'kick.client_secret', value: secret, encrypt: true })
    expect(set).toMatchObject({ key: 'kick.client_secret', value: MASK, encrypted: true, updated_by: admin.id })
    expect((await h.call('configGet', { actor: a, key: 'kick.client_secret' })).value).toBe(MASK)
    expect((await h.fail('configGet', { actor: a, key: 'kick.client_secret', reveal: true })).code).toBe('FORBIDDEN')
    expect((await h.call('configGet', { actor: SYS, key: 'kick.client_secret' })).value).toBe(MASK) // must ask
    expect((await h.call('configGet', { actor: SYS, key: 'kick.client_secret', reveal: true })).value).toBe(secret)
    expect((await h.call('configList', { actor: SYS, prefix: 'kick.' })).items.map((i) => i.value)).toEqual([MASK])
    expect((await h.call('configList', { actor: SYS, prefix: 'kick.', reveal: true })).items.map((i) => i.value)).toEqual([secret])

    const [row] = await h.db.sql`select value, encrypted from configuration where key = 'kick.client_secret'`
    expect(row!.encrypted).toBe(true)
    expect(row!.value).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/)
    for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex'), secret.slice(0, 12)])
      expect(row!.value).not.toContain(form)
    // Same value twice → different ciphertexts (fresh nonce).
    await h.call('configSet', { actor: a, key: 'kick.client_secret', value: secret, encrypt: true })
    const [row2] = await h.db.sql`select value from configuration where key = 'kick.client_secret'`
    expect(row2!.value).not.toBe(row!.value)
    // A ciphertext moved to another key does not open (the key is authenticated data).
    await h.db.sql`insert into configuration (key, value, encrypted) values ('moved.secret', ${row2!.value}, true)`
    expect((await h.fail('configGet', { actor: SYS, key: 'moved.secret', reveal: true })).code).toBe('INTERNAL')
    // Plain values are plain; deleting works once.
    expect((await h.call('configSet', { actor: a, key: 'poll.interval', value: '10' })).value).toBe('10')
    expect((await h.call('configGet', { actor: a, key: 'poll.interval' })).value).toBe('10')
    await h.call('configDelete', { actor: a, key: 'poll.interval' })
    expect((await h.fail('configDelete', { actor: a, key: 'poll.interval' })).code).toBe('NOT_FOUND')
    // The audit log records the change, never the value.
    const audit = await h.db.sql`select details from audit_log where action = 'config.set' and target = 'config:kick.client_secret'`
    expect(audit.length).toBe(2)
    expect(JSON.stringify(audit)).not.toContain(secret)
  })
})

describe('audit log', () => {
  test('security actions are recorded with actor, time, ip and target; listed newest first, paginated', async () => {
    const admin = await h.user('admin')
    const login = await h.call('login', { username: admin.username, password: admin.password, ip: '10.3.0.1' })
    const a = { session: login.token, ip: '10.3.0.1' }
    await h.fail('login', { username: admin.username, password: 'wrong-one-here', ip: '10.3.0.2' })
    const u = await h.call('usersCreate', { actor: a, username: 'audited', password: 'audited-pass-1', role: 'viewer' })
    await h.call('usersUpdate', { actor: a, user_id: u.id, role: 'user' })
    await h.call('usersUpdate', { actor: a, user_id: u.id, display_name: 'Aud Ited' })
    await h.call('assignmentsSet', { actor: a, user_id: u.id, slugs: ['one'] })
    await h.call('assignmentsAdd', { actor: a, user_id: u.id, slug: 'two' })
    await h.call('assignmentsRemove', { actor: a, user_id: u.id, slug: 'one' })
    await h.call('usersSetPassword', { actor: a, user_id: u.id, password: 'reset-pass-for-u' })
    const k = await h.call('apikeysCreate', { actor: a, name: 'k', scope: 'read' })
    await h.call('apikeysRevoke', { actor: a, key_id: k.api_key.id })
    await h.call('configSet', { actor: a, key: 'audited.key', value: 'v' })
    await h.call('auditStreamer', { actor: a, change: 'added', slug: 'audited-streamer' })
    await h.call('auditStreamer', { actor: a, change: 'removed', slug: 'audited-streamer' })
    await h.call('accountChangePassword', { actor: a, current_password: admin.password, new_password: 'admins-new-pass-1' })
    await h.call('usersDelete', { actor: a, user_id: u.id })
    await h.call('logout', { actor: a })

    const expected = [
      'logout', 'user.delete', 'password.change', 'streamer.remove', 'streamer.add', 'config.set', 'apikey.revoke', 'apikey.create', 'password.reset',
      'assignments.remove', 'assignments.add', 'assignments.set', 'user.update', 'user.role_change', 'user.create', 'login.failure', 'login.success',
    ]
    const all = await h.call('auditList', { actor: SYS, limit: 500 })
    const mine = all.items.filter((e) => e.actor_id === admin.id)
    expect(mine.map((e) => e.action)).toEqual(expected)
    for (const e of mine) {
      expect(e.ip).toMatch(/^10\.3\.0\.[12]$/)
      expect(Date.now() - Date.parse(e.at)).toBeLessThan(60_000)
      expect(e.actor_name).toBe(admin.username)
      expect(e.target).not.toBeNull()
    }
    expect(mine.find((e) => e.action === 'streamer.add')).toMatchObject({ target: 'streamer:audited-streamer', actor_name: admin.username })
    expect(mine.find((e) => e.action === 'user.role_change')).toMatchObject({ target: `user:${u.id}`, details: expect.objectContaining({ role: { from: 'viewer', to: 'user' } }) })
    expect(JSON.stringify(all)).not.toContain('audited-pass-1')
    expect(JSON.stringify(all)).not.toContain('admins-new-pass-1')

    // Pages of 4, newest first, no gaps, no repeats.
    const seen: number[] = []
    let before: number | undefined
    for (;;) {
      const page = await h.call('auditList', { actor: SYS, limit: 4, actor_id: admin.id, ...(before ? { before } : {}) })
      seen.push(...page.items.map((e) => e.id))
      if (page.next_before === null) break
      before = page.next_before
    }
    expect(seen).toEqual(mine.map((e) => e.id))
    expect((await h.call('auditList', { actor: SYS, action: 'assignments.', actor_id: admin.id })).items.map((e) => e.action)).toEqual(['assignments.remove', 'assignments.add', 'assignments.set'])
  })
})
