import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { checkoutDir } from './checkout-dir.ts'
import type { Sql } from './db.ts'

export type Migration = { version: string; name: string; file: string; checksum: string; text: string }
export type MigrationState = { version: string; name: string; applied_at: Date | null; pending: boolean }

// Walked up to, not computed from this file's place: the same code runs from a bundle.
export const SQL_DIR = checkoutDir('sql')

export class MigrationError extends Error {}

export async function readMigrations(dir = SQL_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort()
  return Promise.all(
    files.map(async (file) => {
      const text = await Bun.file(join(dir, file)).text()
      const checksum = new Bun.CryptoHasher('sha256').update(text).digest('hex')
      return { version: file.slice(0, 4), name: file.slice(5, -4), file, checksum, text }
    }),
  )
}

const LOCK = 'kickmon-migrations'

// Under the migrations' lock: two concurrent `create table if not exists` on an empty
// database can both try to create it, and one fails on PostgreSQL's catalog.
async function ensureTable(sql: Sql) {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${LOCK}))`
    await tx`create table if not exists schema_migrations (
      version text primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`
  })
}

/**
 * Apply pending migrations in order, each in its own transaction under an advisory lock
 * (so two starters never race). An applied file whose text changed is refused.
 */
export async function migrate(sql: Sql, opts: { dir?: string; onApply?: (m: Migration) => void } = {}) {
  const migrations = await readMigrations(opts.dir)
  await ensureTable(sql)
  const applied: Migration[] = []
  for (const m of migrations) {
    const done = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${LOCK}))`
      const [row] = await tx<{ checksum: string }[]>`select checksum from schema_migrations where version = ${m.version}`
      if (row) {
        if (row.checksum !== m.checksum)
          throw new MigrationError(
            `migration ${m.file} was changed after it was applied (checksum ${row.checksum.slice(0, 12)} in the database, ${m.checksum.slice(0, 12)} on disk); add a new migration instead of editing an applied one`,
          )
        return false
      }
      await tx.unsafe(m.text)
      await tx`insert into schema_migrations (version, name, checksum) values (${m.version}, ${m.name}, ${m.checksum})`
      return true
    })
    if (done) {
      applied.push(m)
      opts.onApply?.(m)
    }
  }
  return applied
}

export async function migrationStatus(sql: Sql, dir?: string): Promise<MigrationState[]> {
  const migrations = await readMigrations(dir)
  await ensureTable(sql)
  const rows = await sql<{ version: string; applied_at: Date }[]>`select version, applied_at from schema_migrations`
  const byVersion = new Map(rows.map((r) => [r.version, r.applied_at]))
  return migrations.map((m) => ({
    version: m.version, name: m.name, applied_at: byVersion.get(m.version) ?? null, pending: !byVersion.has(m.version),
  }))
}

/** Latest version on disk, for /readyz to check the database is migrated. */
export async function expectedVersion(dir?: string): Promise<string | null> {
  const ms = await readMigrations(dir)
  return ms.at(-1)?.version ?? null
}
