import type { Actor, ApiKeyScope, Role, SessionUser } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import type { ApiKeyCache } from './api-key-cache.ts'
import { sessionToken } from './cookies.ts'
import { forwardedOf } from '../http/forwarded.ts'
import type { SessionCache } from './session-cache.ts'

/**
 * Who is calling, however they proved it. `actor` is what auth wants on every call made on
 * their behalf: `{session}` for a session (cookie or bearer JWT), `{api_key}` for a key.
 */
export type Caller = {
  via: 'cookie' | 'bearer' | 'api_key'
  user: SessionUser
  actor: Actor
  scope: ApiKeyScope
  /** Session callers only: the session's id (to close its sockets) and CSRF token. */
  sessionId: string | null
  csrf: string | null
  /** The secret that proved it (session token or key), for cache look-ups and logout. */
  credential: string
  /** API key callers only: the key's id (to end its streams when it is revoked). */
  keyId: number | null
  /** Session callers only: the session's absolute end (open sockets and streams end then). */
  expiresAt: string | null
}

export type Credentials = { sessions: SessionCache; keys: ApiKeyCache }

/** The caller of a request, from `Authorization: Bearer` (API key or session) or the session cookie. */
export async function callerOf(req: Request, creds: Credentials, ip?: string, requestId?: string): Promise<Caller | null> {
  const ctx = { ...(ip ? { ip } : {}), ...userAgent(req) }
  const auth = req.headers.get('authorization')
  if (auth) {
    const bearer = auth.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (!bearer) return null
    if (bearer.startsWith('kmk_')) {
      const k = await creds.keys.verify(bearer, requestId)
      if (!k) return null
      return { via: 'api_key', user: k.user, actor: { api_key: bearer, ...ctx }, scope: k.scope, sessionId: null, csrf: null, credential: bearer, keyId: k.key_id, expiresAt: null }
    }
    const s = await creds.sessions.verify(bearer, requestId)
    if (!s) return null
    return { via: 'bearer', user: s.user, actor: { session: bearer, ...ctx }, scope: 'write', sessionId: s.session_id, csrf: s.csrf_token, credential: bearer, keyId: null, expiresAt: s.expires_at }
  }
  const token = sessionToken(req)
  const s = await creds.sessions.verify(token, requestId)
  if (!s || !token) return null
  return { via: 'cookie', user: s.user, actor: { session: token, ...ctx }, scope: 'write', sessionId: s.session_id, csrf: s.csrf_token, credential: token, keyId: null, expiresAt: s.expires_at }
}

function userAgent(req: Request): { user_agent?: string } {
  const ua = req.headers.get('user-agent')
  return ua ? { user_agent: ua.slice(0, 512) } : {}
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
export const isSafeMethod = (method: string) => SAFE_METHODS.has(method)

/**
 * Before any state change: a read-only API key changes nothing; a cookie caller must send
 * the CSRF token and come from our own origin. Bearer callers need no CSRF token, since
 * browsers never attach an Authorization header on their own.
 */
export function checkChange(req: Request, caller: Caller, formToken?: string) {
  if (isSafeMethod(req.method)) return
  if (caller.scope !== 'write') throw new AppError('FORBIDDEN', 'this API key is read-only')
  if (caller.via !== 'cookie') return
  checkOrigin(req)
  const token = req.headers.get('x-csrf-token') ?? formToken
  if (!token || !timingSafeEqual(token, caller.csrf ?? '')) throw new AppError('FORBIDDEN', 'missing or wrong CSRF token (send the X-CSRF-Token header)')
}

/**
 * For what no CSRF token guards: the live feeds (`/ws`, `/api/v1/stream`: a WebSocket upgrade or
 * an EventSource carries the cookie from anywhere) and login (a page elsewhere must not log you
 * into its account). As checkOrigin, and `Origin: null` too: browsers send "null" from sandboxed
 * frames, `data:` and `file:` pages and after cross-origin redirects, never from our own pages.
 */
export function checkStrictOrigin(req: Request) {
  if (req.headers.get('origin') === 'null') throw new AppError('FORBIDDEN', 'cross-origin request refused (Origin: null)')
  checkOrigin(req)
}

export function checkOrigin(req: Request) {
  const site = req.headers.get('sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') throw new AppError('FORBIDDEN', 'cross-site request refused')
  const origin = req.headers.get('origin')
  if (origin && origin !== 'null') {
    const host = forwardedOf(req)?.host ?? req.headers.get('host') ?? new URL(req.url).host
    let originHost: string
    try {
      originHost = new URL(origin).host
    } catch {
      throw new AppError('FORBIDDEN', 'cross-origin request refused')
    }
    if (originHost !== host) throw new AppError('FORBIDDEN', 'cross-origin request refused')
  }
}

export function requireCaller(c: Caller | null): Caller {
  if (!c) throw new AppError('UNAUTHENTICATED', 'log in first (session cookie or Authorization: Bearer <API key>)')
  return c
}

/** Deny by default: the caller's role must be in the route's list. */
export function requireRole(c: Caller, roles: readonly Role[]) {
  if (!roles.includes(c.user.role)) throw new AppError('FORBIDDEN', roles.length === 1 && roles[0] === 'admin' ? 'only an admin may do this' : `the ${c.user.role} role may not do this`)
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
