import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, writeFile, cp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDb, type TestDb } from '../harness/infra.ts'
import { createDb } from '../../shared/src/db.ts'
import { migrate, migrationStatus, SQL_DIR } from '../../shared/src/migrate.ts'

describe('migrations', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb({ migrate: false })
  })
  afterAll(() => db.drop())

  test('apply every file once, in order, and record checksums', async () => {
    const first = await migrate(db.sql)
    expect(first.map((m) => m.version)).toEqual(first.map((m) => m.version).sort())
    expect(first.length).toBeGreaterThan(0)
    expect(await migrate(db.sql)).toEqual([]) // idempotent
    const status = await migrationStatus(db.sql)
    expect(status.every((s) => !s.pending)).toBe(true)
    const [t] = await db.sql`select to_regclass('streamers') as t`
    expect(t?.t).toBe('streamers')
  })

  test('an applied file that changed is refused with a clear message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mig-'))
    await cp(SQL_DIR, dir, { recursive: true })
    const first = (await Array.fromAsync(new Bun.Glob('0001_*.sql').scan(dir)))[0]!
    await writeFile(join(dir, first), (await Bun.file(join(dir, first)).text()) + '\n-- edited\n')
    await expect(migrate(db.sql, { dir })).rejects.toThrow(/was changed after it was applied/)
  })

  test('a failing migration leaves nothing half-applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mig-'))
    await cp(SQL_DIR, dir, { recursive: true })
    await writeFile(join(dir, '9999_broken.sql'), 'create table half_done (id int);\nselect * from no_such_table;')
    await expect(migrate(db.sql, { dir })).rejects.toThrow(/no_such_table/)
    const [r] = await db.sql`select to_regclass('half_done') as t`
    expect(r?.t).toBeNull()
    const [v] = await db.sql`select count(*)::int as n from schema_migrations where version = '9999'`
    expect(v?.n).toBe(0)
  })

  test('several starters migrating a brand-new database at once: every file applied exactly once, none fails', async () => {
    // Two machines' migrate steps (or services) starting together on an empty database.
    const fresh = await createTestDb({ migrate: false })
    const conns = Array.from({ length: 4 }, () => createDb(fresh.url, 'migrate-race', 2))
    try {
      const results = await Promise.all(conns.map((c) => migrate(c)))
      const applied = results.flat().map((m) => m.version).sort()
      const [n] = await fresh.sql`select count(*)::int as n from schema_migrations`
      expect(applied).toEqual((await migrationStatus(fresh.sql)).map((s) => s.version).sort())
      expect(n?.n).toBe(applied.length)
    } finally {
      await Promise.all(conns.map((c) => c.end({ timeout: 1 })))
      await fresh.drop()
    }
  })

  test('viewer sample partitions are created per day', async () => {
    await db.sql`select ensure_viewer_sample_partitions('2026-01-01'::date, 3)`
    await db.sql`select ensure_viewer_sample_partitions('2026-01-01'::date, 3)` // idempotent
    const rows = await db.sql`select relname from pg_class where relname like 'viewer_samples_2026010%' and relkind = 'r' order by 1`
    expect(rows.map((r) => r.relname)).toEqual(['viewer_samples_20260101', 'viewer_samples_20260102', 'viewer_samples_20260103'])
  })
})
