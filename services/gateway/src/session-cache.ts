import type { NatsConnection } from '@nats-io/transport-node'
import { isAppError } from '@kickmon/shared/errors'
import { subjects } from '@kickmon/shared/subjects'
import type { AuthClient, VerifiedSession } from './auth-client.ts'

const TTL_MS = 5_000

/**
 * Verified sessions, cached for a few seconds so a page with many requests asks auth once.
 * A revocation message evicts at once and tells listeners (the live feed closes sockets).
 */
export class SessionCache {
  private byToken = new Map<string, { session: VerifiedSession; until: number }>()
  private revokedListeners = new Set<(sessionIds: string[], userId: number | null) => void>()
  private accessListeners = new Set<(userId: number) => void>()

  constructor(private readonly auth: AuthClient) {}

  listen(nc: NatsConnection) {
    nc.subscribe(subjects.sessionRevoked, {
      callback: (err, msg) => {
        if (err) return
        const body = msg.json() as { session_ids?: string[]; user_id?: number }
        const ids = new Set(body.session_ids ?? [])
        for (const [token, e] of this.byToken) if (ids.has(e.session.session_id) || e.session.user.id === body.user_id) this.byToken.delete(token)
        for (const l of this.revokedListeners) l([...ids], body.user_id ?? null)
      },
    })
    nc.subscribe(subjects.accessChanged, {
      callback: (err, msg) => {
        if (err) return
        const { user_id } = msg.json() as { user_id?: number }
        for (const [token, e] of this.byToken) if (e.session.user.id === user_id) this.byToken.delete(token)
        if (typeof user_id === 'number') for (const l of this.accessListeners) l(user_id)
      },
    })
  }

  /** The session for a token, or null when it is not (or no longer) valid. */
  async verify(token: string | undefined, requestId?: string): Promise<VerifiedSession | null> {
    if (!token || token.length > 4096) return null
    const hit = this.byToken.get(token)
    if (hit && hit.until > Date.now()) return hit.session
    try {
      const session = await this.auth.verify(token, requestId)
      this.byToken.set(token, { session, until: Date.now() + TTL_MS })
      if (this.byToken.size > 50_000) this.byToken.delete(this.byToken.keys().next().value!)
      return session
    } catch (e) {
      this.byToken.delete(token)
      if (isAppError(e, 'UNAUTHENTICATED')) return null
      throw e
    }
  }

  forget(token: string) {
    this.byToken.delete(token)
  }

  onRevoked(l: (sessionIds: string[], userId: number | null) => void) {
    this.revokedListeners.add(l)
  }

  onAccessChanged(l: (userId: number) => void) {
    this.accessListeners.add(l)
  }
}
