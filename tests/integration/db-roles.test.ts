import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import { AuthConfigSchema } from '../../services/auth/src/config.ts'
import { startAuth } from '../../services/auth/src/app.ts'
import { SERVICE_TABLES } from '../../shared/src/db-grants.ts'
import { createLogger } from '../../shared/src/logger.ts'
import { createService } from '../../shared/src/service.ts'
import { purgeStreamer } from '../../services/poller/src/history/archive.ts'
import { kickmon } from './cli/run.ts'
import { createTestDb, testNats, type LocalNats, type TestDb } from '../harness/infra.ts'
import { eventually } from '../harness/services.ts'
import { natsEnv } from '../harness/nats-auth.ts'
import { parseEnv } from '../../shared/src/parse-env.ts'

// Least privilege in PostgreSQL: `kickmon db roles` gives auth and the poller login roles of
// their own with rights on exactly their tables; each is refused on the other's tables, on
// anything it could create, and neither is a superuser. A role missing a grant is named in one
// log line and the service is not ready.

let db: TestDb
let nats: LocalNats
const PW = { auth: 'auth-db-pass-1', poller: 'poller-db-pass-1' }
const roleUrl = (role: string, pw: string) => {
  const u = new URL(db.url)
  u.username = role
  u.password = pw
  return u.toString()
}
const AUTH_URL = () => roleUrl('kickmon_auth', PW.auth)
const POLLER_URL = () => roleUrl('kickmon_poller', PW.poller)
const as = (url: string) => postgres(url, { max: 1, onnotice: () => {} })

beforeAll(async () => {
  ;[db, nats] = await Promise.all([createTestDb(), testNats()])
}, 60_000)
afterAll(async () => {
  await nats?.destroy()
  await db?.drop()
})

describe('kickmon db roles', () => {
  test('without the services\' URLs it says which to set (exit 2)', async () => {
    const r = await kickmon(['db', 'roles'], { env: { DATABASE_URL: db.url, AUTH_DATABASE_URL: AUTH_URL() } })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('set POLLER_DATABASE_URL')
  })

  test('creates the roles (twice is harmless) and takes back a grant that is not on the list', async () => {
    const env = { DATABASE_URL: db.url, AUTH_DATABASE_URL: AUTH_URL(), POLLER_DATABASE_URL: POLLER_URL() }
    const first = await kickmon(['db', 'roles'], { env })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('auth: role kickmon_auth on users,')
    await db.sql`grant select on users to kickmon_poller`
    const again = await kickmon(['db', 'roles'], { env })
    expect(again.code, again.stderr).toBe(0)
    const [g] = await db.sql`select has_table_privilege('kickmon_poller', 'users', 'select') as ok`
    expect(g!.ok).toBe(false)
    const roles = await db.sql`select rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin from pg_roles where rolname in ('kickmon_auth', 'kickmon_poller') order by rolname`
    expect([...roles]).toEqual([
      { rolname: 'kickmon_auth', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true },
      { rolname: 'kickmon_poller', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true },
    ])
  })
})

describe('each role on its own tables only', () => {
  test("auth reads and writes its tables and is refused on the poller's", async () => {
    const sql = as(AUTH_URL())
    try {
      for (const t of Object.keys(SERVICE_TABLES.auth)) await sql.unsafe(`select count(*) from ${t}`)
      await sql`insert into login_failures (account, ip) values ('x', '127.0.0.9')` // identity column included
      for (const t of Object.keys(SERVICE_TABLES.poller).filter((t) => t !== 'schema_migrations'))
        await expect(sql.unsafe(`select 1 from ${t} limit 1`)).rejects.toThrow(`permission denied for table ${t}`)
      await expect(sql`select ensure_viewer_sample_partitions(current_date, 1)`).rejects.toThrow('permission denied for function')
      await expect(sql`create table mine (x int)`).rejects.toThrow('permission denied for schema public')
    } finally {
      await sql.end()
    }
  })

  test("the poller reads and writes its tables, keeps the partitions, and is refused on auth's", async () => {
    const sql = as(POLLER_URL())
    try {
      for (const t of Object.keys(SERVICE_TABLES.poller)) await sql.unsafe(`select count(*) from ${t}`)
      const [s] = await sql`insert into streamers (slug, username) values ('roles-test', 'roles-test') returning id`
      await sql`select ensure_viewer_sample_partitions(current_date, 2)`
      await sql`insert into viewer_samples (streamer_id, at, viewers, source) values (${s!.id}, now(), 5, 'api')`
      await sql`select drop_viewer_samples_before(current_date - 400)`
      // Archive, then purge (the admin's explicit delete of an archived streamer's history).
      await sql`insert into status_events (id, streamer_id, type, at, status) values ('roles-test-ev', ${s!.id}, 'online', now(), '{}')`
      await sql`update streamers set archived_at = now() where id = ${s!.id}`
      expect(await purgeStreamer(sql, 'roles-test')).toMatchObject({ purged: 'roles-test', events: 1, samples: 1 })
      for (const t of Object.keys(SERVICE_TABLES.auth).filter((t) => t !== 'schema_migrations'))
        await expect(sql.unsafe(`select 1 from ${t} limit 1`)).rejects.toThrow(`permission denied for table ${t}`)
      await expect(sql`create table mine (x int)`).rejects.toThrow('permission denied for schema public')
      await expect(sql`drop table viewer_samples_default`).rejects.toThrow('must be owner of table viewer_samples_default')
    } finally {
      await sql.end()
    }
  })
})

test('a role missing a grant: one log line naming the role and the table, and readiness fails', async () => {
  await db.sql`revoke select on audit_log from kickmon_auth`
  const lines: string[] = []
  const logger = createLogger('auth', 'info', { write: (l: string) => void lines.push(l) })
  const env = { ...process.env, DATABASE_URL: AUTH_URL(), NATS_URL: nats.url, AUTH_PORT: '0', CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32), ADMIN_PASSWORD: 'roles-admin-pass', ...natsEnv('auth') }
  const config = parseEnv(AuthConfigSchema, env)
  const { ctx, stop } = await createService({ name: 'auth', description: 'auth (test)', port: 0, config, useDb: true, logger, start: async (c) => void (await startAuth({ ...c, config })) })
  try {
    const errors = lines.map((l) => JSON.parse(l) as { level: string | number; msg: string }).filter((l) => l.msg.includes('lacks'))
    expect(errors.map((e) => e.msg)).toEqual(['database role "kickmon_auth" lacks select on table audit_log: run kickmon db roles'])
    const ready = await ctx.health.handle('/readyz')
    expect(ready!.status).toBe(503)
    expect(await ready!.text()).toContain('lacks select on table audit_log')
    // Granted again (kickmon db roles), it becomes ready without a restart.
    await kickmon(['db', 'roles'], { env: { DATABASE_URL: db.url, AUTH_DATABASE_URL: AUTH_URL(), POLLER_DATABASE_URL: POLLER_URL() } })
    await eventually(async () => (await ctx.health.handle('/readyz'))!.status === 200, 10_000, 'auth ready')
  } finally {
    await stop()
  }
}, 60_000)
