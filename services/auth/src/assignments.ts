import { AppError } from '@kickmon/shared/errors'
import type { Visible } from '@kickmon/shared/contracts/auth'
import { isAdmin, type Principal } from './actors.ts'
import { audit } from './audit.ts'
import type { AuthDeps, Db } from './deps.ts'
import { publishAccessChanged } from './events.ts'

// Which streamers each user may see (user_streamers). Admins and system actors see all;
// streamers are named by slug because the poller owns the streamers table.

const notFound = (id: number) => new AppError('NOT_FOUND', `there is no user with id ${id}`)

async function ensureUser(sql: Db, id: number): Promise<{ role: string }> {
  const [u] = await sql<{ role: string }[]>`select role from users where id = ${id}`
  if (!u) throw notFound(id)
  return u
}

export async function getAssignments(sql: Db, userId: number): Promise<string[]> {
  await ensureUser(sql, userId)
  const rows = await sql<{ slug: string }[]>`select slug from user_streamers where user_id = ${userId} order by slug`
  return rows.map((r) => r.slug)
}

/** Replace the user's whole set. */
export async function setAssignments(deps: AuthDeps, actor: Principal, userId: number, slugs: string[]): Promise<string[]> {
  const wanted = [...new Set(slugs)].sort()
  const { added, removed } = await deps.sql.begin(async (tx) => {
    const [u] = await tx`select 1 from users where id = ${userId} for update`
    if (!u) throw notFound(userId)
    const removed = await tx<{ slug: string }[]>`
      delete from user_streamers where user_id = ${userId} and slug <> all(${wanted}::text[]) returning slug`
    const added = wanted.length
      ? await tx<{ slug: string }[]>`
          insert into user_streamers (user_id, slug) select ${userId}, unnest(${wanted}::text[])
          on conflict do nothing returning slug`
      : []
    if (added.length || removed.length)
      await audit(tx, {
        action: 'assignments.set', actor, target: `user:${userId}`,
        details: { added: added.map((r) => r.slug).slice(0, 100), removed: removed.map((r) => r.slug).slice(0, 100), count: wanted.length },
      })
    return { added, removed }
  })
  if (added.length || removed.length) publishAccessChanged(deps, userId)
  return wanted
}

export async function addAssignment(deps: AuthDeps, actor: Principal, userId: number, slug: string): Promise<boolean> {
  await ensureUser(deps.sql, userId)
  const r = await deps.sql`insert into user_streamers (user_id, slug) values (${userId}, ${slug}) on conflict do nothing`
  if (!r.count) return false
  await audit(deps.sql, { action: 'assignments.add', actor, target: `user:${userId}`, details: { slug } })
  publishAccessChanged(deps, userId)
  return true
}

export async function removeAssignment(deps: AuthDeps, actor: Principal, userId: number, slug: string): Promise<boolean> {
  await ensureUser(deps.sql, userId)
  const r = await deps.sql`delete from user_streamers where user_id = ${userId} and slug = ${slug}`
  if (!r.count) return false
  await audit(deps.sql, { action: 'assignments.remove', actor, target: `user:${userId}`, details: { slug } })
  publishAccessChanged(deps, userId)
  return true
}

/** What `userId` (or the actor itself) may see: everything for admins, else their slugs. */
export async function visibleFor(sql: Db, actor: Principal, userId: number | undefined): Promise<Visible> {
  if (userId === undefined) {
    if (isAdmin(actor)) return { all: true, slugs: [] }
    userId = actor.userId!
  }
  const rows = await sql<{ role: string; slug: string | null }[]>`
    select u.role, s.slug from users u left join user_streamers s on s.user_id = u.id where u.id = ${userId} order by s.slug`
  if (!rows.length) throw notFound(userId)
  if (rows[0]!.role === 'admin') return { all: true, slugs: [] }
  return { all: false, slugs: rows.flatMap((r) => (r.slug ? [r.slug] : [])) }
}
