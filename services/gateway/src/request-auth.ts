import { AppError } from '@kickmon/shared/errors'
import type { VerifiedSession } from './auth-client.ts'
import { sessionToken } from './cookies.ts'
import type { SessionCache } from './session-cache.ts'

export type Caller = { session: VerifiedSession; via: 'cookie' | 'bearer' }

/** The caller of a request, from the session cookie or `Authorization: Bearer`. */
export async function callerOf(req: Request, sessions: SessionCache, requestId?: string): Promise<Caller | null> {
  const bearer = req.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (bearer) {
    const session = await sessions.verify(bearer, requestId)
    return session ? { session, via: 'bearer' } : null
  }
  const session = await sessions.verify(sessionToken(req), requestId)
  return session ? { session, via: 'cookie' } : null
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Cookie-authenticated state changes need the CSRF token and a same-origin request;
 * bearer (API) callers need neither, since browsers never attach those on their own.
 */
export function checkCsrf(req: Request, caller: Caller, formToken?: string) {
  if (SAFE_METHODS.has(req.method) || caller.via === 'bearer') return
  checkOrigin(req)
  const token = req.headers.get('x-csrf-token') ?? formToken
  if (!token || token !== caller.session.csrf_token) throw new AppError('FORBIDDEN', 'missing or wrong CSRF token (X-CSRF-Token)')
}

export function checkOrigin(req: Request) {
  const site = req.headers.get('sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') throw new AppError('FORBIDDEN', 'cross-site request refused')
  const origin = req.headers.get('origin')
  if (origin && origin !== 'null') {
    const host = req.headers.get('host') ?? new URL(req.url).host
    if (new URL(origin).host !== host) throw new AppError('FORBIDDEN', 'cross-origin request refused')
  }
}

export function requireCaller(c: Caller | null): Caller {
  if (!c) throw new AppError('UNAUTHENTICATED', 'log in first (session cookie or Authorization: Bearer)')
  return c
}
