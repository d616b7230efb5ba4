import type { NatsConnection } from '@nats-io/transport-node'
import { AccessChangedEvent, SessionsRevokedEvent } from '@kickmon/shared/contracts/auth'
import { isAppError } from '@kickmon/shared/errors'
import { subjects } from '@kickmon/shared/contracts/names'
import type { AuthClient, VerifiedSession } from '../clients/auth-client.ts'

const TTL_MS = 5_000
const MAX_ENTRIES = 50_000

export type RevokedListener = (e: SessionsRevokedEvent) => void

/**
 * Verified sessions, cached for a few seconds so a page with many requests asks auth once.
 * A revocation message evicts at once and tells listeners (the live feed closes sockets).
 */
export class SessionCache {
  private byToken = new Map<string, { session: VerifiedSession; until: number }>()
  private revokedListeners = new Set<RevokedListener>()
  private accessListeners = new Set<(userId: number) => void>()

  constructor(private readonly auth: AuthClient) {}

  listen(nc: NatsConnection) {
    nc.subscribe(subjects.sessionRevoked, {
      callback: (err, msg) => {
        if (err) return
        const ev = SessionsRevokedEvent.safeParse(safeJson(msg))
        if (ev.success) this.revoked(ev.data)
      },
    })
    nc.subscribe(subjects.accessChanged, {
      callback: (err, msg) => {
        if (err) return
        const ev = AccessChangedEvent.safeParse(safeJson(msg))
        if (ev.success) this.accessChanged(ev.data.user_id)
      },
    })
  }

  revoked(ev: SessionsRevokedEvent) {
    const ids = new Set(ev.session_ids)
    for (const [token, e] of this.byToken) if (ids.has(e.session.session_id)) this.byToken.delete(token)
    for (const l of this.revokedListeners) l(ev)
  }

  accessChanged(userId: number) {
    for (const [token, e] of this.byToken) if (e.session.user.id === userId) this.byToken.delete(token)
    for (const l of this.accessListeners) l(userId)
  }

  /** The session for a token, or null when it is not (or no longer) valid. */
  async verify(token: string | undefined, requestId?: string): Promise<VerifiedSession | null> {
    if (!token || token.length > 4096) return null
    const hit = this.byToken.get(token)
    if (hit && hit.until > Date.now()) return hit.session
    try {
      const session = await this.auth.verify(token, requestId)
      this.byToken.set(token, { session, until: Date.now() + TTL_MS })
      if (this.byToken.size > MAX_ENTRIES) this.byToken.delete(this.byToken.keys().next().value!)
      return session
    } catch (e) {
      this.byToken.delete(token)
      if (isAppError(e, 'UNAUTHENTICATED') || isAppError(e, 'VALIDATION')) return null
      throw e
    }
  }

  forget(token: string) {
    this.byToken.delete(token)
  }

  onRevoked(l: RevokedListener) {
    this.revokedListeners.add(l)
  }

  onAccessChanged(l: (userId: number) => void) {
    this.accessListeners.add(l)
  }
}

function safeJson(msg: { json(): unknown }): unknown {
  try {
    return msg.json()
  } catch {
    return null
  }
}
