import postgres from 'postgres'
import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'
import { migrate, migrationStatus, MigrationError } from '@kickmon/shared/migrate'
import { applyServiceRoles, roleFromUrl, type ServiceRole } from '@kickmon/shared/db-roles'
import { SERVICE_TABLES } from '@kickmon/shared/db-grants'
import { noArgs } from '../args.ts'
import { command, type Group } from '../command.ts'
import type { Ctx } from '../context.ts'
import { CliError, Exit } from '../exit-codes.ts'
import { localTime } from '../format.ts'
import { migrationsDir } from '../migrations-dir.ts'
import { progress } from '../progress.ts'

// The only commands that talk to PostgreSQL directly: the schema must be in place before
// any service can answer.

const sqlDir = { schema: z.string().min(1).optional(), value: 'dir', help: 'where the NNNN_name.sql files are (default: the release\'s own)' }

async function withDb<T>(ctx: Ctx, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const url = ctx.env.DATABASE_URL
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {}, connection: { application_name: 'kickmon-cli' } })
  try {
    return await fn(sql)
  } catch (e) {
    throw dbError(e, url)
  } finally {
    await sql.end({ timeout: 2 }).catch(() => {})
  }
}

/** The migration files (`--sql-dir`, else the release's own) and the database, both let go of afterwards. */
async function withMigrations<T>(ctx: Ctx, sqlDir: string | undefined, fn: (sql: postgres.Sql, dir: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = await migrationsDir(sqlDir)
  return withDb(ctx, (sql) => fn(sql, dir)).finally(cleanup)
}

/** PostgreSQL's failures as exit codes, without the password that may be in DATABASE_URL. */
function dbError(e: unknown, url: string): Error {
  if (e instanceof MigrationError) return new CliError(Exit.REJECTED, e.message)
  if (e instanceof CliError || e instanceof AppError) return e
  const err = e as { code?: string; message?: string }
  let where = 'PostgreSQL'
  try {
    const u = new URL(url)
    where = `PostgreSQL at ${u.hostname}:${u.port || 5432}`
  } catch {}
  const db = (() => {
    try {
      return decodeURIComponent(new URL(url).pathname.slice(1))
    } catch {
      return '?'
    }
  })()
  switch (err.code) {
    case 'ECONNREFUSED':
      return new AppError('UNAVAILABLE', `cannot reach ${where} (connection refused); is it running? (DATABASE_URL sets where to look)`)
    case 'CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return new AppError('UNAVAILABLE', `cannot reach ${where} (timed out)`)
    case 'ENOTFOUND':
      return new AppError('UNAVAILABLE', `cannot reach ${where} (unknown host)`)
    case '3D000':
      return new AppError('NOT_FOUND', `database "${db}" does not exist on ${where}: create it first (createdb ${db})`)
    case '28P01':
    case '28000':
      return new CliError(Exit.DENIED, `${where} refused the login: ${err.message}`)
    case '42501':
      return new CliError(Exit.DENIED, `permission denied on ${where}: ${err.message}`)
  }
  return new CliError(Exit.FAILURE, `${where}: ${(err.message ?? String(e)).replace(/\w+:\/\/\S+/g, '<url>')}`)
}

const migrateCmd = command({
  name: 'migrate',
  summary: 'apply pending migrations (each in its own transaction, under a lock)',
  usage: '',
  description: 'Safe to run at every deploy: applied migrations are skipped, and two runs never race.\nAn applied migration whose file changed is refused (exit 5).',
  options: { sqlDir },
  args: noArgs,
  examples: ['kickmon db migrate', 'DATABASE_URL=postgres://kickmon@db/kickmon kickmon db migrate --json'],
  run: async (ctx, o) => {
    const applied = await withMigrations(ctx, o.sqlDir, async (sql, dir) => {
      const pending = (await migrationStatus(sql, dir)).filter((m) => m.pending)
      const bar = progress(pending.length, 'migrating')
      try {
        return await migrate(sql, { dir, onApply: (m) => bar.tick(m.file) })
      } finally {
        bar.done()
      }
    })
    // New tables need their grants: with the services' URLs set, their roles follow every migration.
    const roles = serviceRoles(ctx, false)
    if (roles) await withDb(ctx, (sql) => applyServiceRoles(sql, roles))
    if (ctx.json) return ctx.out.data({ applied: applied.map((m) => ({ version: m.version, name: m.name })), ...(roles && { roles: roles.map((r) => r.role) }) })
    for (const m of applied) ctx.out.line(`applied ${m.version}_${m.name}`)
    ctx.out.line(applied.length ? `${applied.length} migration${applied.length === 1 ? '' : 's'} applied` : 'the schema is up to date')
    if (roles) ctx.out.line(`roles up to date: ${roles.map((r) => r.role).join(', ')}`)
  },
})

/**
 * The services' roles from AUTH_DATABASE_URL / POLLER_DATABASE_URL (both needed; null when
 * neither is set), plus the notifier's from NOTIFIER_DATABASE_URL when it is set (installations
 * without the notifier have none).
 */
function serviceRoles(ctx: Ctx, required: boolean): ServiceRole[] | null {
  const urls = { auth: ctx.env.AUTH_DATABASE_URL, poller: ctx.env.POLLER_DATABASE_URL }
  if (!urls.auth && !urls.poller && !required) return null
  const unset = Object.entries(urls).filter(([, u]) => !u).map(([s]) => `${s.toUpperCase()}_DATABASE_URL`)
  if (unset.length) throw new CliError(Exit.USAGE, `set ${unset.join(' and ')}: the URL${unset.length > 1 ? 's' : ''} the service${unset.length > 1 ? 's' : ''} connect${unset.length > 1 ? '' : 's'} with (postgres://kickmon_auth:PASSWORD@host/kickmon), whose user and password the role gets`)
  try {
    const notifier = ctx.env.NOTIFIER_DATABASE_URL
    return [roleFromUrl('auth', urls.auth!), roleFromUrl('poller', urls.poller!), ...(notifier ? [roleFromUrl('notifier', notifier)] : [])]
  } catch (e) {
    throw new CliError(Exit.USAGE, (e as Error).message)
  }
}

const rolesCmd = command({
  name: 'roles',
  summary: "create or update each service's database role, with rights on exactly its tables",
  usage: '',
  description:
    'Run as the owner of the tables (the role migrations run as; DATABASE_URL). The roles are\n' +
    'named, with their passwords, by AUTH_DATABASE_URL and POLLER_DATABASE_URL (and the notifier\'s\n' +
    'by NOTIFIER_DATABASE_URL when set), the URLs the services connect with. None is a superuser or\n' +
    'may create anything; the gateway has no role.\n' +
    'Safe to run again: it changes only what differs. `kickmon db migrate` runs it too when both\n' +
    'URLs are set.',
  options: {},
  args: noArgs,
  examples: ['kickmon db roles    # with AUTH_DATABASE_URL=postgres://kickmon_auth:PW@db/kickmon and POLLER_DATABASE_URL set', 'kickmon db roles --json'],
  run: async (ctx) => {
    const roles = serviceRoles(ctx, true)!
    await withDb(ctx, (sql) => applyServiceRoles(sql, roles))
    if (ctx.json) return ctx.out.data(roles.map((r) => ({ service: r.service, role: r.role, tables: Object.keys(SERVICE_TABLES[r.service]) })))
    for (const r of roles) ctx.out.line(`${r.service}: role ${r.role} on ${Object.keys(SERVICE_TABLES[r.service]).join(', ')}`)
  },
})

const statusCmd = command({
  name: 'status',
  summary: 'which migrations are applied and which are pending',
  usage: '',
  options: { sqlDir },
  args: noArgs,
  examples: ['kickmon db status', "kickmon db status --json | jq '[.[] | select(.pending)] | length'"],
  run: async (ctx, o) => {
    const rows = await withMigrations(ctx, o.sqlDir, migrationStatus)
    if (ctx.json) return ctx.out.data(rows.map((r) => ({ ...r, applied_at: r.applied_at?.toISOString() ?? null })))
    const { s } = ctx.out
    ctx.out.table(
      [
        { header: 'VERSION', get: (r) => r.version },
        { header: 'NAME', get: (r) => r.name },
        { header: 'STATE', get: (r) => (r.pending ? 'pending' : 'applied'), style: (v, r) => (r.pending ? s.yellow(v) : s.green(v)) },
        { header: 'APPLIED', get: (r) => (r.applied_at ? localTime(r.applied_at) : '-') },
      ],
      rows,
    )
    const pending = rows.filter((r) => r.pending).length
    ctx.out.line(pending ? s.yellow(`${pending} pending: run "kickmon db migrate"`) : s.dim('up to date'))
  },
})

export const dbGroup: Group = {
  name: 'db',
  summary: "the PostgreSQL schema and the services' roles: migrate, status, roles",
  commands: [migrateCmd, statusCmd, rolesCmd],
}
