// Least privilege in PostgreSQL (docs/operations.md, "Database roles"): the migrations' owner
// role owns every table; each service logs in as its own role with rights on exactly the
// tables it uses. `kickmon db roles` grants from this list and each service checks at start
// that it has them. A migration that adds a table a service uses adds it here too.
import type { Sql } from './db.ts'

export type DbService = 'auth' | 'poller' | 'notifier'
const RW = ['select', 'insert', 'update', 'delete'] as const
type Privilege = (typeof RW)[number]

export const SERVICE_TABLES: Record<DbService, Record<string, readonly Privilege[]>> = {
  auth: {
    users: RW, user_sessions: RW, user_streamers: RW, api_keys: RW, configuration: RW, audit_log: ['select', 'insert'],
    login_failures: RW, public_pages: RW, share_links: RW, schema_migrations: ['select'],
  },
  // status_events' delete is only the purge of an archived streamer (history/archive.ts).
  poller: {
    streamers: RW, status_events: ['select', 'insert', 'delete'], stream_sessions: RW, viewer_samples: RW, schema_migrations: ['select'],
  },
  // Only its own tables (0009): users and streamers it learns from auth and the poller over NATS.
  notifier: {
    notify_channels: RW, notify_rules: RW, notify_deliveries: RW, notify_messages: RW, notify_cooldowns: RW, schema_migrations: ['select'],
  },
}

/** Functions a service calls; they run as their owner (0008), so the caller needs no DDL rights. */
export const SERVICE_FUNCTIONS: Record<DbService, readonly string[]> = {
  auth: [],
  poller: ['ensure_viewer_sample_partitions(date, integer)', 'drop_viewer_samples_before(date)'],
  notifier: [],
}

export type MissingGrant = { table: string; privilege: string }

/** What the connected role may not do of what `service` needs (empty when all is granted). */
export async function missingGrants(sql: Sql, service: DbService): Promise<MissingGrant[]> {
  const wanted = Object.entries(SERVICE_TABLES[service]).flatMap(([table, privs]) => privs.map((privilege) => ({ table, privilege })))
  // A table not there yet is the schema probe's to report (migrations pending), not a grant.
  const rows = await sql<{ t: string; p: string; ok: boolean | null }[]>`
    select t, p, case when to_regclass(t) is null then null else has_table_privilege(current_user, t, p) end as ok
    from unnest(${sql.array(wanted.map((w) => w.table))}::text[], ${sql.array(wanted.map((w) => w.privilege))}::text[]) as w(t, p)`
  const missing: MissingGrant[] = rows.filter((r) => r.ok === false).map((r) => ({ table: r.t, privilege: r.p }))
  for (const fn of SERVICE_FUNCTIONS[service]) {
    const [r] = await sql<{ ok: boolean }[]>`
      select case when to_regprocedure(${fn}) is null then false else has_function_privilege(current_user, ${fn}, 'execute') end as ok`
    if (!r?.ok) missing.push({ table: `function ${fn}`, privilege: 'execute' })
  }
  return missing
}

/**
 * Readiness fails while the service's role lacks a grant, with one log line naming the role and
 * what it lacks, instead of a 500 on the first request that touches the table.
 */
export function grantsProbe(sql: Sql, service: DbService, log: { error: (o: object, msg: string) => void }) {
  let reported = ''
  const check = async () => {
    const missing = await missingGrants(sql, service)
    if (!missing.length) {
      reported = ''
      return
    }
    const [me] = await sql<{ role: string }[]>`select current_user as role`
    const what = missing.map((m) => `${m.privilege} on ${m.table.startsWith('function ') ? m.table : `table ${m.table}`}`).join(', ')
    const line = `database role "${me?.role}" lacks ${what}: run kickmon db roles`
    if (line !== reported) log.error({ role: me?.role, missing }, line)
    reported = line
    throw new Error(line)
  }
  return { name: 'postgres-grants', critical: true, timeoutMs: 3000, run: check }
}
