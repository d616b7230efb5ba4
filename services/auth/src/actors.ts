import { AppError } from '@kickmon/shared/errors'
import type { Actor, ApiKeyScope, Role } from '@kickmon/shared/contracts/auth'
import type { AuthDeps } from './deps.ts'
import { verifySession } from './sessions.ts'
import { verifyApiKey } from './apikeys.ts'

// Who is asking: every endpoint but login (and the two credential checks) resolves its
// `actor` here, then asks the helpers below. Deny by default: a handler that forgets to
// call one of them still has no principal with rights it did not check.

export type Principal =
  | { kind: 'system'; name: string; role: 'admin'; userId: null; scope: 'write'; label: string; ip: string | null }
  | { kind: 'session'; userId: number; username: string; role: Role; scope: 'write'; sessionId: string; label: string; ip: string | null }
  | { kind: 'api_key'; userId: number; username: string; role: Role; scope: ApiKeyScope; keyId: number; label: string; ip: string | null }

export type UserPrincipal = Exclude<Principal, { kind: 'system' }>

export async function resolveActor(deps: Pick<AuthDeps, 'sql' | 'config'>, actor: Actor): Promise<Principal> {
  const ip = actor.ip || null
  if ('system' in actor) return { kind: 'system', name: actor.system, role: 'admin', userId: null, scope: 'write', label: `system:${actor.system}`, ip }
  if ('session' in actor) {
    const s = await verifySession(deps, actor.session)
    return { kind: 'session', userId: s.user.id, username: s.user.username, role: s.user.role, scope: 'write', sessionId: s.session_id, label: s.user.username, ip }
  }
  const k = await verifyApiKey(deps, actor.api_key)
  return { kind: 'api_key', userId: k.user.id, username: k.user.username, role: k.user.role, scope: k.scope, keyId: k.key_id, label: k.user.username, ip }
}

export const isAdmin = (p: Principal) => p.role === 'admin'

/** Changing anything needs a session, a system actor or a `write` key. */
export function requireWrite(p: Principal): void {
  if (p.scope !== 'write') throw new AppError('FORBIDDEN', 'this API key is read-only')
}

export function requireAdmin(p: Principal): void {
  if (!isAdmin(p)) throw new AppError('FORBIDDEN', 'only an admin may do this')
}

/** The actor of a change only an admin may make: resolved, then checked as a writer and an admin. */
export async function adminWriter(deps: Pick<AuthDeps, 'sql' | 'config'>, actor: Actor): Promise<Principal> {
  const p = await resolveActor(deps, actor)
  requireWrite(p)
  requireAdmin(p)
  return p
}

/** The actor must be a user (system actors have no account of their own). */
export function requireUser(p: Principal, what = 'this'): asserts p is UserPrincipal {
  if (p.kind === 'system') throw new AppError('BAD_REQUEST', `a system actor has no account of its own, so it cannot do ${what}`)
}

/**
 * The user a request is about: `userId` when given (only admins may name someone else),
 * otherwise the actor's own account.
 */
export function targetUser(p: Principal, userId: number | undefined, what: string): number {
  if (userId === undefined) {
    if (p.kind === 'system') throw new AppError('BAD_REQUEST', `a system actor has no account of its own; pass user_id to ${what}`)
    return p.userId
  }
  if (userId !== p.userId && !isAdmin(p)) throw new AppError('FORBIDDEN', `you may only ${what} for your own account`)
  return userId
}
