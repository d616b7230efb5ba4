import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SQL_DIR } from '@kickmon/shared/migrate'
import { CliError, Exit } from './exit-codes.ts'

const hasSql = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => /^\d{4}_[\w-]+\.sql$/.test(f))

/**
 * Where `db` finds sql/NNNN_*.sql: --sql-dir, then KICKMON_SQL_DIR, then the source tree; a
 * compiled binary (scripts/build-cli.sh) carries its own copies, unpacked to a private temp dir.
 */
export async function migrationsDir(explicit?: string): Promise<{ dir: string; cleanup: () => void }> {
  const given = explicit ?? process.env.KICKMON_SQL_DIR
  if (given) {
    if (!hasSql(given)) throw new CliError(Exit.NOT_FOUND, `no migrations (NNNN_name.sql) in ${given}`)
    return { dir: given, cleanup: () => {} }
  }
  if (hasSql(SQL_DIR)) return { dir: SQL_DIR, cleanup: () => {} }
  const embedded = Bun.embeddedFiles.filter((f) => /^\d{4}_[\w-]+\.sql$/.test((f as Blob & { name: string }).name))
  if (embedded.length) {
    const dir = await unpack(embedded as (Blob & { name: string })[])
    return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
  }
  throw new CliError(Exit.NOT_FOUND, 'no migrations found: pass --sql-dir <dir> or set KICKMON_SQL_DIR (the sql/ directory of the release)')
}

async function unpack(files: (Blob & { name: string })[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kickmon-sql-'))
  for (const f of files) await Bun.write(join(dir, f.name), f)
  return dir
}
