import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { SQL_DIR } from '../../../shared/src/migrate.ts'
import { createTestDb, type TestDb } from '../../harness/infra.ts'
import { buildBinary, json, kickmon } from './run.ts'

// `kickmon db`: the only commands that talk to PostgreSQL directly. A real, empty database.

describe('kickmon db migrate|status against a real PostgreSQL', () => {
  let db: TestDb
  let env: Record<string, string>
  const files = readdirSync(SQL_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort()

  beforeAll(async () => {
    db = await createTestDb({ migrate: false })
    env = { DATABASE_URL: db.url }
  })
  afterAll(async () => {
    await db?.drop()
  })

  test('status on an empty database lists every migration as pending (exit 0)', async () => {
    const r = await kickmon(['db', 'status'], { env })
    expect(r.code).toBe(0)
    for (const f of files) expect(r.stdout).toMatch(new RegExp(`^${f.slice(0, 4)} +${f.slice(5, -4)} +pending +-`, 'm'))
    expect(r.stdout).toContain(`${files.length} pending: run "kickmon db migrate"`)
    const j = json(await kickmon(['db', 'status', '--json'], { env }))
    expect(j).toEqual(files.map((f) => ({ version: f.slice(0, 4), name: f.slice(5, -4), applied_at: null, pending: true })))
  })

  test('migrate applies them in order, then has nothing to do', async () => {
    const r = await kickmon(['db', 'migrate'], { env })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe([...files.map((f) => `applied ${f.slice(0, -4)}`), `${files.length} migration${files.length === 1 ? '' : 's'} applied`, ''].join('\n'))
    const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`
    expect(row!.n).toBe(files.length)
    const again = await kickmon(['db', 'migrate', '--json'], { env })
    expect(again.code).toBe(0)
    expect(json(again)).toEqual({ applied: [] })
    const st = json<{ pending: boolean; applied_at: string }[]>(await kickmon(['db', 'status', '--json'], { env }))
    expect(st.every((m) => !m.pending && !Number.isNaN(Date.parse(m.applied_at)))).toBe(true)
  })

  test('an applied migration whose file changed is refused with exit 5, and nothing is applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kickmon-sql-'))
    cpSync(SQL_DIR, dir, { recursive: true })
    writeFileSync(join(dir, files[0]!), '-- edited after the fact\n', { flag: 'a' })
    writeFileSync(join(dir, '9999_later.sql'), 'create table cli_test_later (id int);\n')
    const r = await kickmon(['db', 'migrate', '--sql-dir', dir], { env })
    expect(r.code).toBe(5)
    expect(r.stderr).toMatch(/^kickmon: migration 0001_\S+ was changed after it was applied/)
    const [row] = await db.sql`select to_regclass('cli_test_later') as t`
    expect(row!.t).toBeNull()
    rmSync(dir, { recursive: true, force: true })
  })

  test('a database that does not exist is "not found" (3); a directory without migrations too', async () => {
    const missing = db.url.replace(/\/[^/]+$/, '/no_such_db_here')
    const r = await kickmon(['db', 'status'], { env: { DATABASE_URL: missing } })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^kickmon: database "no_such_db_here" does not exist on PostgreSQL at 127\.0\.0\.1:\d+: create it first/)
    const empty = mkdtempSync(join(tmpdir(), 'kickmon-empty-'))
    const e = await kickmon(['db', 'status', '--sql-dir', empty], { env })
    expect(e.code).toBe(3)
    expect(e.stderr).toBe(`kickmon: no migrations (NNNN_name.sql) in ${empty}\n`)
  })

  test('the compiled binary carries its migrations: it migrates a fresh database with nothing beside it', async () => {
    const bin = await buildBinary()
    const fresh = await createTestDb({ migrate: false })
    try {
      const r = await kickmon(['db', 'migrate', '--json'], { env: { DATABASE_URL: fresh.url }, bin: [bin] })
      expect(r.code).toBe(0)
      expect(json(r).applied.map((m: { version: string }) => m.version)).toEqual(files.map((f) => f.slice(0, 4)))
      const v = await kickmon(['--version'], { bin: [bin] })
      expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
    } finally {
      await fresh.drop()
      rmSync(dirname(bin), { recursive: true, force: true })
    }
  })
})
