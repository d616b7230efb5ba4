// Creates or updates each service's login role and gives it exactly its tables (db-grants.ts).
// Run by `kickmon db roles` (and after `kickmon db migrate` when the service URLs are set) and by
// the demo; idempotent: running it again changes nothing but a password that changed.
import type { Sql } from './db.ts'
import { SERVICE_FUNCTIONS, SERVICE_TABLES, type DbService } from './db-grants.ts'

export type ServiceRole = { service: DbService; role: string; password?: string }

export const DEFAULT_ROLES: Record<DbService, string> = { auth: 'kickmon_auth', poller: 'kickmon_poller', notifier: 'kickmon_notifier' }

/** A service's login role from the URL it will connect with (`postgres://role:password@host/db`). */
export function roleFromUrl(service: DbService, url: string): ServiceRole {
  const u = new URL(url)
  const role = decodeURIComponent(u.username)
  if (!role) throw new Error(`the ${service} database URL names no user (postgres://${DEFAULT_ROLES[service]}:password@host/db)`)
  return { service, role, password: u.password ? decodeURIComponent(u.password) : undefined }
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`

/**
 * As the owner (or an administrator) connected to the application's database: each role exists,
 * may log in, is no superuser and cannot create anything, and holds exactly its grants here.
 */
export async function applyServiceRoles(sql: Sql, roles: ServiceRole[]): Promise<void> {
  const [me] = await sql<{ db: string; owner: string; superuser: boolean }[]>`
    select current_database() as db, current_user as owner, (select rolsuper from pg_roles where rolname = current_user) as superuser`
  const { db, owner, superuser } = me!
  for (const r of roles) {
    if (r.role === owner) throw new Error(`the ${r.service} role must not be the owner role "${owner}": give it a role of its own (e.g. ${DEFAULT_ROLES[r.service]})`)
  }
  await sql.begin(async (tx) => {
    // Two runs at once (two migrate jobs) must not race on CREATE ROLE.
    await tx`select pg_advisory_xact_lock(hashtext('kickmon_db_roles'))`
    for (const r of roles) {
      const role = ident(r.role)
      const [exists] = await tx<{ rolsuper: boolean; rolbypassrls: boolean; rolreplication: boolean }[]>`
        select rolsuper, rolbypassrls, rolreplication from pg_roles where rolname = ${r.role}`
      if (!exists) await tx.unsafe(`create role ${role}`) // no superuser, replication or RLS bypass by default
      const password = r.password === undefined ? '' : ` password ${quoteLiteral(r.password)}`
      // Only a superuser may change those three; an owner with CREATEROLE checks them instead.
      const elevated = exists && (exists.rolsuper || exists.rolbypassrls || exists.rolreplication)
      if (elevated && !superuser) throw new Error(`role ${r.role} is a superuser or may bypass row security or replicate: have an administrator run ALTER ROLE ${role} NOSUPERUSER NOBYPASSRLS NOREPLICATION`)
      await tx.unsafe(`alter role ${role} login nocreatedb nocreaterole${superuser ? ' nosuperuser noreplication nobypassrls' : ''}${password}`)
      await tx.unsafe(`grant connect on database ${ident(db)} to ${role}`)
      await tx.unsafe(`grant usage on schema public to ${role}`)
      await tx.unsafe(`revoke create on schema public from ${role}`)
      // Exactly the list: whatever an earlier version granted is taken back first.
      await tx.unsafe(`revoke all on all tables in schema public from ${role}`)
      await tx.unsafe(`revoke all on all sequences in schema public from ${role}`)
      await tx.unsafe(`revoke all on all functions in schema public from ${role}`)
      for (const [table, privs] of Object.entries(SERVICE_TABLES[r.service])) {
        const [t] = await tx`select to_regclass(${table}) is not null as ok`
        if (!t?.ok) throw new Error(`table ${table} (for ${r.service}) does not exist: run kickmon db migrate first`)
        await tx.unsafe(`grant ${privs.join(', ')} on table ${ident(table)} to ${role}`)
        // Identity columns draw from a sequence the table owns.
        const seqs = await tx<{ seq: string }[]>`
          select s.oid::regclass::text as seq from pg_class s join pg_depend d on d.objid = s.oid
          where s.relkind = 'S' and d.refobjid = ${table}::regclass and d.deptype in ('a', 'i')`
        for (const s of seqs) await tx.unsafe(`grant usage, select on sequence ${s.seq} to ${role}`)
      }
      for (const fn of SERVICE_FUNCTIONS[r.service]) await tx.unsafe(`grant execute on function ${fn} to ${role}`)
    }
  })
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}
