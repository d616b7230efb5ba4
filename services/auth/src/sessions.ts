import { SignJWT, jwtVerify } from 'jose'
import { AppError } from '@kickmon/shared/errors'
import type { SessionsRevokedEvent, SessionUser } from '@kickmon/shared/contracts/auth'
import { iso, sha256hex, type AuthDeps, type Db } from './deps.ts'
import { publishRevoked } from './events.ts'

// Sessions: a random 256-bit id per login whose SHA-256 is the user_sessions row key; the
// client holds a JWT (HS256, iss kickmon-auth, aud kickmon-gateway, exp = absolute end)
// carrying the raw id as `sid`. A JWT alone is never enough: every verify reads the row, so
// revocation, idle timeout and disabling a user take effect at once.

export const ISSUER = 'kickmon-auth'
export const AUDIENCE = 'kickmon-gateway'
/** last_seen_at is written at most this often per session. */
export const TOUCH_EVERY_S = 30

const INVALID = 'your session is invalid or has expired; sign in again'
const unauthenticated = () => new AppError('UNAUTHENTICATED', INVALID)

const keyCache = new WeakMap<object, Uint8Array>()
function secretKey(deps: Pick<AuthDeps, 'config'>): Uint8Array {
  let k = keyCache.get(deps.config)
  if (!k) keyCache.set(deps.config, (k = new TextEncoder().encode(deps.config.SESSION_SECRET)))
  return k
}

/** HMAC-SHA256(SESSION_SECRET, 'csrf:' + raw session id), hex. */
export function csrfToken(deps: Pick<AuthDeps, 'config'>, rawSid: string): string {
  return new Bun.CryptoHasher('sha256', deps.config.SESSION_SECRET).update('csrf:' + rawSid).digest('hex')
}

export type IssuedSession = { token: string; csrf_token: string; session_id: string; expires_at: string }

/** A new session row and its token (a fresh id at every login: no fixation). */
export async function createSession(
  deps: Pick<AuthDeps, 'sql' | 'config'>,
  userId: number,
  meta: { ip?: string | null; user_agent?: string | null } = {},
): Promise<IssuedSession> {
  const raw = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
  const idHash = sha256hex(raw)
  const [row] = await deps.sql<{ expires_at: Date }[]>`
    insert into user_sessions (id_hash, user_id, expires_at, ip, user_agent)
    values (${idHash}, ${userId}, now() + make_interval(secs => ${deps.config.SESSION_MAX_S}), ${meta.ip || null}, ${meta.user_agent || null})
    returning expires_at`
  const expiresAt = row!.expires_at
  const token = await new SignJWT({ sid: raw })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(secretKey(deps))
  return { token, csrf_token: csrfToken(deps, raw), session_id: idHash, expires_at: iso(expiresAt) }
}

export type VerifiedSession = { session_id: string; user: SessionUser; csrf_token: string; expires_at: string }

/** Checks the JWT, then the row: not revoked, not expired, not idle too long, user enabled. */
export async function verifySession(deps: Pick<AuthDeps, 'sql' | 'config'>, token: string): Promise<VerifiedSession> {
  let sid: string
  let sub: number
  try {
    const { payload } = await jwtVerify(token, secretKey(deps), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'sub', 'sid'],
    })
    if (typeof payload.sid !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(payload.sid)) throw new Error('bad sid')
    sid = payload.sid
    sub = Number(payload.sub)
    if (!Number.isSafeInteger(sub)) throw new Error('bad sub')
  } catch {
    throw unauthenticated()
  }
  const idHash = sha256hex(sid)
  const [row] = await deps.sql<
    { user_id: number; username: string; role: SessionUser['role']; display_name: string | null; expires_at: Date; usable: boolean; stale: boolean }[]
  >`
    select s.user_id, u.username, u.role, u.display_name, s.expires_at,
           (s.revoked_at is null and s.expires_at > now() and not u.disabled
             and s.last_seen_at > now() - make_interval(secs => ${deps.config.SESSION_IDLE_S})) as usable,
           s.last_seen_at < now() - make_interval(secs => ${TOUCH_EVERY_S}) as stale
    from user_sessions s join users u on u.id = s.user_id
    where s.id_hash = ${idHash}`
  if (!row || !row.usable || row.user_id !== sub) throw unauthenticated()
  if (row.stale) await deps.sql`update user_sessions set last_seen_at = now() where id_hash = ${idHash}`
  return {
    session_id: idHash,
    user: { id: row.user_id, username: row.username, role: row.role, display_name: row.display_name },
    csrf_token: csrfToken(deps, sid),
    expires_at: iso(row.expires_at),
  }
}

/**
 * Revoke a user's live sessions (all, or all but `keep`, or only `only`), and tell the
 * gateways. Runs in `tx` when given so the revocation commits with the change that caused it;
 * publish after commit with the returned ids.
 */
export async function revokeSessions(
  sql: Db,
  userId: number,
  opts: { keep?: string | null; only?: string } = {},
): Promise<string[]> {
  const rows = await sql<{ id_hash: string }[]>`
    update user_sessions set revoked_at = now()
    where user_id = ${userId} and revoked_at is null and expires_at > now()
      ${opts.keep ? sql`and id_hash <> ${opts.keep}` : sql``}
      ${opts.only ? sql`and id_hash = ${opts.only}` : sql``}
    returning id_hash`
  return rows.map((r) => r.id_hash)
}

export async function revokeAndPublish(
  deps: Pick<AuthDeps, 'sql' | 'nc' | 'log'>,
  userId: number,
  reason: SessionsRevokedEvent['reason'],
  opts: { keep?: string | null; only?: string } = {},
): Promise<string[]> {
  const ids = await revokeSessions(deps.sql, userId, opts)
  publishRevoked(deps, userId, ids, reason)
  return ids
}

export async function listSessions(deps: Pick<AuthDeps, 'sql' | 'config'>, userId: number, current: string | null) {
  const rows = await deps.sql<
    { id_hash: string; user_id: number; created_at: Date; last_seen_at: Date; expires_at: Date; ip: string | null; user_agent: string | null }[]
  >`
    select s.id_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent
    from user_sessions s
    where s.user_id = ${userId} and s.revoked_at is null and s.expires_at > now()
      and s.last_seen_at > now() - make_interval(secs => ${deps.config.SESSION_IDLE_S})
    order by s.last_seen_at desc
    limit 1000`
  return rows.map((r) => ({
    session_id: r.id_hash,
    user_id: r.user_id,
    created_at: iso(r.created_at),
    last_seen_at: iso(r.last_seen_at),
    expires_at: iso(r.expires_at),
    ip: r.ip,
    user_agent: r.user_agent,
    current: r.id_hash === current,
  }))
}

/**
 * Housekeeping: rows dead for 30 days are deleted. Kept that long because the login throttle
 * trusts addresses an account signed in from in the last 30 days (throttle.ts).
 */
export async function pruneSessions(sql: Db): Promise<number> {
  const r = await sql`delete from user_sessions where coalesce(revoked_at, expires_at) < now() - interval '30 days'`
  return r.count
}
