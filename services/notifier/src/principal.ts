import type { NatsConnection } from '@nats-io/transport-node'
import { AuthApi, type Actor, type Role } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { request } from '@kickmon/shared/rpc'

// Who is asking: the notifier never trusts a caller's claim about itself. The gateway and the
// CLI pass the same `actor` they pass to auth, and auth says who it is. A system actor (an
// operator component) acts as admin and owns nothing (its channels are installation-wide).

export type Principal = { userId: number | null; role: Role; write: boolean }

export async function resolvePrincipal(nc: NatsConnection, actor: Actor, requestId: string): Promise<Principal> {
  if ('system' in actor) return { userId: null, role: 'admin', write: true }
  const a = await request(nc, AuthApi.accountGet.subject, { actor }, AuthApi.accountGet.output, { requestId })
  return { userId: a.user.id, role: a.user.role, write: a.scope === 'write' }
}

export const isAdmin = (p: Principal) => p.role === 'admin'

export function requireWrite(p: Principal) {
  if (!p.write) throw new AppError('FORBIDDEN', 'this API key is read-only')
}

/** Admins act on anything; everyone else only on what they own. */
export function requireOwner(p: Principal, ownerId: number | null, what: string) {
  if (isAdmin(p)) return
  if (ownerId === null || ownerId !== p.userId) throw new AppError('NOT_FOUND', `there is no ${what} with that id`)
}
