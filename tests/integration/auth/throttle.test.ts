import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { RateLimitedDetails } from '../../../shared/src/contracts/auth.ts'
import { ACCOUNT_CAP, FREE_FAILURES, IP_CAP, MAX_DELAY_S } from '../../../services/auth/src/throttle.ts'
import { median } from '../../../bench/lib/stats.ts'
import { startAuthHarness, type AuthHarness } from './harness.ts'

let h: AuthHarness
beforeAll(async () => {
  h = await startAuthHarness()
})
afterAll(() => h.stop())

const attempt = (username: string, password: string, ip: string) => h.fail('login', { username, password, ip })

describe('login throttling', () => {
  test(`${FREE_FAILURES} failures from one address → RATE_LIMITED with retry_after_s; the owner from another address still gets in`, async () => {
    const u = await h.user('user')
    for (let i = 0; i < FREE_FAILURES; i++) {
      const e = await attempt(u.username, 'wrong-password-x', '203.0.113.5')
      expect([e.code, e.message]).toEqual(['UNAUTHENTICATED', 'invalid username or password'])
    }
    const limited = await attempt(u.username, 'wrong-password-x', '203.0.113.5')
    expect(limited.code).toBe('RATE_LIMITED')
    expect(limited.message).toMatch(/too many failed sign-in attempts; try again in \d+ seconds/)
    const d = RateLimitedDetails.parse(limited.details)
    expect(d.retry_after_s).toBeGreaterThanOrEqual(1)
    expect(d.retry_after_s).toBeLessThanOrEqual(2)
    // Even the right password is not checked from that address now…
    expect((await attempt(u.username, u.password, '203.0.113.5')).code).toBe('RATE_LIMITED')
    // …but the owner elsewhere is not locked out.
    expect((await h.call('login', { username: u.username, password: u.password, ip: '198.51.100.7' })).user.id).toBe(u.id)
    // The delay passes; a success from that address clears its failures.
    await h.db.sql`update login_failures set at = at - interval '3 seconds' where account = ${u.username.toLowerCase()}`
    expect((await h.call('login', { username: u.username, password: u.password, ip: '203.0.113.5' })).user.id).toBe(u.id)
    const { n } = (await h.db.sql<{ n: number }[]>`select count(*)::int as n from login_failures where account = ${u.username.toLowerCase()} and ip = '203.0.113.5'`)[0]!
    expect(n).toBe(0)
  })

  test('the delay doubles per failure and is capped', async () => {
    const u = await h.user('user')
    const acct = u.username.toLowerCase()
    const wait = async () => RateLimitedDetails.parse((await attempt(u.username, 'x-wrong-pass', '203.0.113.9')).details).retry_after_s
    await h.db.sql`insert into login_failures (account, ip) select ${acct}, '203.0.113.9' from generate_series(1, ${FREE_FAILURES + 2})`
    expect(await wait()).toBe(8) // 7 failures → 2^3 s
    await h.db.sql`insert into login_failures (account, ip) select ${acct}, '203.0.113.9' from generate_series(1, 20)`
    expect(await wait()).toBe(MAX_DELAY_S)
  })

  test('unknown and known usernames get the same code, message and throttling, in similar time', async () => {
    const u = await h.user('user')
    const ghost = 'no-such-user-' + crypto.randomUUID().slice(0, 8)
    const known: number[] = []
    const unknown: number[] = []
    for (let i = 0; i < FREE_FAILURES; i++) {
      for (const [name, times] of [[u.username, known], [ghost, unknown]] as const) {
        const t0 = performance.now()
        const e = await attempt(name, 'wrong-password-y', '203.0.113.20')
        times.push(performance.now() - t0)
        expect({ code: e.code, message: e.message, details: e.details }).toEqual({ code: 'UNAUTHENTICATED', message: 'invalid username or password', details: undefined })
      }
    }
    const a = await attempt(u.username, 'wrong-password-y', '203.0.113.20')
    const b = await attempt(ghost, 'wrong-password-y', '203.0.113.20')
    expect([a.code, a.message]).toEqual([b.code, b.message])
    expect(a.code).toBe('RATE_LIMITED')
    // Both pay one argon2 verify: medians within a factor of two of each other.
    const ratio = median(known)! / median(unknown)!
    expect(ratio).toBeGreaterThan(0.5)
    expect(ratio).toBeLessThan(2)
    expect(median(unknown)!).toBeGreaterThan(10) // really hashing, not answering early
  })

  test(`${ACCOUNT_CAP} failures an hour per account stop new addresses, never the owner’s usual ones`, async () => {
    const u = await h.user('user')
    // The owner signed in from 192.0.2.10 before.
    await h.call('login', { username: u.username, password: u.password, ip: '192.0.2.10' })
    // An attacker spread over many addresses used up the account's hourly budget.
    await h.db.sql`insert into login_failures (account, ip)
      select ${u.username.toLowerCase()}, '100.64.' || (g / 250) || '.' || (g % 250) from generate_series(1, ${ACCOUNT_CAP}) g`
    const e = await attempt(u.username, u.password, '100.99.0.1')
    expect(e.code).toBe('RATE_LIMITED')
    const { retry_after_s } = RateLimitedDetails.parse(e.details)
    expect(retry_after_s).toBeGreaterThan(3500)
    expect(retry_after_s).toBeLessThanOrEqual(3600)
    // The owner's known address is not locked out.
    expect((await h.call('login', { username: u.username, password: u.password, ip: '192.0.2.10' })).user.id).toBe(u.id)
    // Failures older than an hour no longer count.
    await h.db.sql`update login_failures set at = now() - interval '61 minutes' where account = ${u.username.toLowerCase()}`
    expect((await h.call('login', { username: u.username, password: u.password, ip: '100.99.0.1' })).user.id).toBe(u.id)
  })

  test(`one address failing against many accounts is stopped after ${IP_CAP} an hour`, async () => {
    const u = await h.user('user')
    await h.db.sql`insert into login_failures (account, ip) select 'victim' || g, '198.18.0.66' from generate_series(1, ${IP_CAP}) g`
    expect((await attempt(u.username, u.password, '198.18.0.66')).code).toBe('RATE_LIMITED')
    expect((await h.call('login', { username: u.username, password: u.password, ip: '198.18.0.67' })).user.id).toBe(u.id)
  })

  test('a burst of parallel guesses cannot slip past the throttle', async () => {
    const u = await h.user('user')
    const results = await Promise.all(Array.from({ length: 30 }, () => attempt(u.username, 'parallel-guess', '203.0.113.77')))
    const checked = results.filter((e) => e.code === 'UNAUTHENTICATED').length
    expect(checked).toBeLessThanOrEqual(FREE_FAILURES + 2)
    expect(results.filter((e) => e.code === 'RATE_LIMITED').length).toBe(30 - checked)
  })

  test('wrong current passwords in a password change count as failed logins', async () => {
    const u = await h.user('user')
    const token = (await h.session(u)).token
    for (let i = 0; i < FREE_FAILURES; i++) {
      const e = await h.fail('accountChangePassword', { actor: { session: token, ip: '203.0.113.88' }, current_password: 'guess-' + i, new_password: 'whatever-new-1' })
      expect(e.code).toBe('VALIDATION')
    }
    const e = await h.fail('accountChangePassword', { actor: { session: token, ip: '203.0.113.88' }, current_password: u.password, new_password: 'whatever-new-1' })
    expect(e.code).toBe('RATE_LIMITED')
  })

  test('failed logins are audited without the password; the throttle state is in PostgreSQL', async () => {
    const u = await h.user('user')
    await attempt(u.username, 'secret-guess-123', '203.0.113.99')
    const rows = await h.db.sql`select action, target, ip, details from audit_log where action = 'login.failure' and target = ${u.username.toLowerCase()}`
    expect(rows.length).toBe(1)
    expect(rows[0]!.ip).toBe('203.0.113.99')
    expect(rows[0]!.details).toEqual({ reason: 'wrong_password' })
    expect(JSON.stringify(rows)).not.toContain('secret-guess-123')
    const { n } = (await h.db.sql<{ n: number }[]>`select count(*)::int as n from login_failures where account = ${u.username.toLowerCase()}`)[0]!
    expect(n).toBe(1)
  })
})
