import { AppError } from '@kickmon/shared/errors'
import type { ApiKey, ApiKeyScope, SessionUser } from '@kickmon/shared/contracts/auth'
import { iso, isoOrNull, sha256hex, type AuthDeps } from './deps.ts'
import { TOUCH_EVERY_S } from './sessions.ts'

// API keys: `kmk_<8 hex prefix>_<64 hex secret>` (256 random bits), shown once; only the
// SHA-256 of the whole key is stored (a fast hash is right for a random 256-bit secret).

export const KEY_RE = /^kmk_([0-9a-f]{8})_([0-9a-f]{64})$/
export const MAX_KEYS_PER_USER = 50
const INVALID = 'this API key is invalid or has been revoked'

type Row = { id: number; user_id: number; name: string; prefix: string; scope: ApiKeyScope; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }
const toApiKey = (r: Row): ApiKey => ({
  id: r.id, user_id: r.user_id, name: r.name, prefix: r.prefix, scope: r.scope,
  created_at: iso(r.created_at), last_used_at: isoOrNull(r.last_used_at), revoked_at: isoOrNull(r.revoked_at),
})

const hex = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('hex')

export async function createApiKey(deps: Pick<AuthDeps, 'sql'>, userId: number, name: string, scope: ApiKeyScope) {
  const { sql } = deps
  return sql.begin(async (tx) => {
    const [u] = await tx<{ n: number }[]>`
      select (select count(*)::int from api_keys where user_id = ${userId} and revoked_at is null) as n
      from users where id = ${userId} for update`
    if (!u) throw new AppError('NOT_FOUND', `there is no user with id ${userId}`)
    if (u.n >= MAX_KEYS_PER_USER) throw new AppError('CONFLICT', `a user may have at most ${MAX_KEYS_PER_USER} active API keys; revoke one first`)
    const prefix = hex(4)
    const key = `kmk_${prefix}_${hex(32)}`
    const [row] = await tx<Row[]>`
      insert into api_keys (user_id, name, prefix, key_hash, scope)
      values (${userId}, ${name}, ${prefix}, ${sha256hex(key)}, ${scope})
      returning id, user_id, name, prefix, scope, created_at, last_used_at, revoked_at`
    return { key, api_key: toApiKey(row!) }
  })
}

export async function listApiKeys(deps: Pick<AuthDeps, 'sql'>, userId: number, includeRevoked: boolean): Promise<ApiKey[]> {
  const rows = await deps.sql<Row[]>`
    select id, user_id, name, prefix, scope, created_at, last_used_at, revoked_at from api_keys
    where user_id = ${userId} ${includeRevoked ? deps.sql`` : deps.sql`and revoked_at is null`}
    order by id desc limit 1000`
  return rows.map(toApiKey)
}

/** Revoke key `keyId`; `ownerId` scopes the lookup (a key that is not the caller's is "not found"). */
export async function revokeApiKey(deps: Pick<AuthDeps, 'sql'>, keyId: number, ownerId: number | null): Promise<{ user_id: number; prefix: string }> {
  const { sql } = deps
  const [row] = await sql<{ user_id: number; prefix: string }[]>`
    update api_keys set revoked_at = coalesce(revoked_at, now())
    where id = ${keyId} ${ownerId === null ? sql`` : sql`and user_id = ${ownerId}`}
    returning user_id, prefix`
  if (!row) throw new AppError('NOT_FOUND', `there is no API key with id ${keyId}`)
  return row
}

export type VerifiedKey = { key_id: number; scope: ApiKeyScope; user: SessionUser }

export async function verifyApiKey(deps: Pick<AuthDeps, 'sql'>, key: string): Promise<VerifiedKey> {
  if (!KEY_RE.test(key)) throw new AppError('UNAUTHENTICATED', INVALID)
  const { sql } = deps
  const [row] = await sql<
    { id: number; scope: ApiKeyScope; user_id: number; username: string; role: SessionUser['role']; display_name: string | null; stale: boolean }[]
  >`
    select k.id, k.scope, k.user_id, u.username, u.role, u.display_name,
           (k.last_used_at is null or k.last_used_at < now() - make_interval(secs => ${TOUCH_EVERY_S})) as stale
    from api_keys k join users u on u.id = k.user_id
    where k.key_hash = ${sha256hex(key)} and k.revoked_at is null and not u.disabled`
  if (!row) throw new AppError('UNAUTHENTICATED', INVALID)
  if (row.stale) await sql`update api_keys set last_used_at = now() where id = ${row.id}`
  return { key_id: row.id, scope: row.scope, user: { id: row.user_id, username: row.username, role: row.role, display_name: row.display_name } }
}
