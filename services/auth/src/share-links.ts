import { AppError } from '@kickmon/shared/errors'
import { targetSlugs, type ShareLink, type ShareTarget } from '@kickmon/shared/contracts/public'
import { subjects } from '@kickmon/shared/contracts/names'
import { isAdmin, type Principal, type UserPrincipal } from './actors.ts'
import { visibleFor } from './assignments.ts'
import { audit } from './audit.ts'
import { iso, isoOrNull, type AuthDeps, type Db } from './deps.ts'

// Share links: read-only links to a streamer or a saved view, made by any user for streamers
// they can see. The gateway signs the token (SHARE_LINK_SECRET); this row decides whether a
// token still works, and is checked on every view and whenever the creator's access changes.

type Row = { id: string; user_id: number; creator_role: string; target: ShareTarget; created_at: Date; expires_at: Date; revoked_at: Date | null }

const toLink = (r: Row): ShareLink => ({
  id: r.id, user_id: r.user_id, target: r.target, created_at: iso(r.created_at), expires_at: iso(r.expires_at), revoked_at: isoOrNull(r.revoked_at),
})

/** Active links per user: enough for real use, a cap on a runaway script. */
export const MAX_ACTIVE_LINKS = 200
const RANK: Record<string, number> = { viewer: 1, user: 2, admin: 3 }
/** One answer for every reason a link stopped working, so a link says nothing about its creator. */
const EXPIRED = () => new AppError('NOT_FOUND', 'this link has expired')

export async function createShareLink(deps: AuthDeps, p: UserPrincipal, target: ShareTarget, expiresInS: number): Promise<ShareLink> {
  const slugs = targetSlugs(target)
  const v = await visibleFor(deps.sql, p, undefined)
  if (!v.all) {
    const mine = new Set(v.slugs)
    const hidden = slugs.filter((s) => !mine.has(s))
    // The same answer as for a streamer nobody monitors: nothing about others' lists.
    if (hidden.length) throw new AppError('NOT_FOUND', `no streamer named "${hidden[0]}"`)
  }
  const link = await deps.sql.begin(async (tx) => {
    await tx`select 1 from users where id = ${p.userId} for update`
    const [n] = await tx<{ n: number }[]>`
      select count(*)::int as n from share_links where user_id = ${p.userId} and revoked_at is null and expires_at > now()`
    if ((n?.n ?? 0) >= MAX_ACTIVE_LINKS) throw new AppError('CONFLICT', `you have ${MAX_ACTIVE_LINKS} active share links; revoke some first`)
    const [r] = await tx<Row[]>`
      insert into share_links (id, user_id, creator_role, target, expires_at)
      values (${crypto.randomUUID()}, ${p.userId}, ${p.role}, ${tx.json(target as never)}, now() + make_interval(secs => ${expiresInS}))
      returning *`
    await audit(tx, { action: 'sharelink.create', actor: p, target: `user:${p.userId}`, details: { link: r!.id, type: target.type, streamers: slugs.length, expires_in_s: expiresInS } })
    return toLink(r!)
  })
  return link
}

export async function listShareLinks(sql: Db, userId: number, includeRevoked: boolean): Promise<ShareLink[]> {
  const rows = await sql<Row[]>`
    select * from share_links where user_id = ${userId}
      ${includeRevoked ? sql`` : sql`and revoked_at is null and expires_at > now()`}
    order by created_at desc limit 500`
  return rows.map(toLink)
}

/** Own links; admins (and system actors) any. Someone else's link is NOT_FOUND, like a missing one. */
export async function revokeShareLink(deps: AuthDeps, p: Principal, id: string) {
  const [r] = await deps.sql<{ user_id: number }[]>`
    update share_links set revoked_at = now()
    where id = ${id} and revoked_at is null ${isAdmin(p) ? deps.sql`` : deps.sql`and user_id = ${p.userId}`}
    returning user_id`
  if (!r) throw new AppError('NOT_FOUND', 'there is no active share link with that id')
  await audit(deps.sql, { action: 'sharelink.revoke', actor: p, target: `user:${r.user_id}`, details: { link: id } })
  try {
    deps.nc.publish(subjects.shareLinksRevoked, JSON.stringify({ ids: [id], user_id: r.user_id }))
  } catch (err) {
    deps.log.warn({ err }, 'could not announce a share link revocation')
  }
}

/**
 * A link still works when it is neither revoked nor expired, its creator is enabled and has
 * at least the role they had when making it, and may still see every streamer it shows.
 */
export async function verifyShareLink(sql: Db, id: string): Promise<ShareLink> {
  const [r] = await sql<(Row & { role: string; disabled: boolean })[]>`
    select l.*, u.role, u.disabled from share_links l join users u on u.id = l.user_id
    where l.id = ${id} and l.revoked_at is null and l.expires_at > now()`
  if (!r || r.disabled || (RANK[r.role] ?? 0) < (RANK[r.creator_role] ?? 9)) throw EXPIRED()
  if (r.role !== 'admin') {
    const slugs = targetSlugs(r.target)
    const [ok] = await sql<{ n: number }[]>`
      select count(*)::int as n from user_streamers where user_id = ${r.user_id} and slug = any(${slugs}::text[])`
    if ((ok?.n ?? 0) < slugs.length) throw EXPIRED()
  }
  return toLink(r)
}
