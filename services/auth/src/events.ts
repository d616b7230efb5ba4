import { subjects } from '@kickmon/shared/contracts/names'
import type { SessionsRevokedEvent } from '@kickmon/shared/contracts/auth'
import type { AuthDeps } from './deps.ts'

// Core NATS publishes: a message lost in a reconnect costs only latency, because every
// verify reads the session row (PostgreSQL is the truth; these make revocation instant).

export function publishRevoked(deps: Pick<AuthDeps, 'nc' | 'log'>, userId: number, ids: string[], reason: SessionsRevokedEvent['reason']) {
  if (!ids.length) return
  for (let i = 0; i < ids.length; i += 500) {
    const ev: SessionsRevokedEvent = { session_ids: ids.slice(i, i + 500), user_id: userId, reason }
    try {
      deps.nc.publish(subjects.sessionRevoked, JSON.stringify(ev))
    } catch (err) {
      deps.log.warn({ err, userId, reason }, 'could not publish session revocation')
    }
  }
}

export function publishApiKeyRevoked(deps: Pick<AuthDeps, 'nc' | 'log'>, keyId: number, userId: number) {
  try {
    deps.nc.publish(subjects.apiKeyRevoked, JSON.stringify({ key_id: keyId, user_id: userId }))
  } catch (err) {
    deps.log.warn({ err, keyId }, 'could not publish API key revocation')
  }
}

export function publishAccessChanged(deps: Pick<AuthDeps, 'nc' | 'log'>, userId: number) {
  try {
    deps.nc.publish(subjects.accessChanged, JSON.stringify({ user_id: userId }))
  } catch (err) {
    deps.log.warn({ err, userId }, 'could not publish access change')
  }
}
