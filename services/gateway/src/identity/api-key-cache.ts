import type { NatsConnection } from '@nats-io/transport-node'
import { ApiKeyRevokedEvent } from '@kickmon/shared/contracts/auth'
import { isAppError } from '@kickmon/shared/errors'
import { subjects } from '@kickmon/shared/contracts/names'
import type { AuthClient, VerifiedKey } from '../clients/auth-client.ts'
import type { SessionCache } from './session-cache.ts'

const TTL_MS = 5_000
const MAX_ENTRIES = 10_000
export const API_KEY_RE = /^kmk_[0-9a-f]{8}_[0-9a-f]{64}$/

/**
 * Verified API keys, cached for a few seconds so a burst of calls asks auth once. Auth's
 * revocation message evicts a key at once and tells listeners (open event streams end);
 * anything that ends a user's sessions (disable, delete, role change) evicts their keys.
 * A lost message (core NATS) only lets a revoked key work until TTL_MS runs out.
 */
export class ApiKeyCache {
  private byKey = new Map<string, { key: VerifiedKey; until: number }>()
  private revokedListeners = new Set<(keyId: number) => void>()

  constructor(
    private readonly auth: AuthClient,
    sessions: SessionCache,
  ) {
    const evict = (userId: number) => {
      for (const [k, e] of this.byKey) if (e.key.user.id === userId) this.byKey.delete(k)
    }
    sessions.onRevoked((ev) => evict(ev.user_id))
    sessions.onAccessChanged(evict)
  }

  listen(nc: NatsConnection) {
    nc.subscribe(subjects.apiKeyRevoked, {
      callback: (err, msg) => {
        if (err) return
        let ev
        try {
          ev = ApiKeyRevokedEvent.safeParse(msg.json())
        } catch {
          return
        }
        if (ev.success) this.revoked(ev.data.key_id)
      },
    })
  }

  revoked(keyId: number) {
    for (const [k, e] of this.byKey) if (e.key.key_id === keyId) this.byKey.delete(k)
    for (const l of this.revokedListeners) l(keyId)
  }

  onRevoked(l: (keyId: number) => void) {
    this.revokedListeners.add(l)
  }

  async verify(key: string, requestId?: string): Promise<VerifiedKey | null> {
    if (!API_KEY_RE.test(key)) return null
    const hit = this.byKey.get(key)
    if (hit && hit.until > Date.now()) return hit.key
    try {
      const v = await this.auth.verifyKey(key, requestId)
      this.byKey.set(key, { key: v, until: Date.now() + TTL_MS })
      if (this.byKey.size > MAX_ENTRIES) this.byKey.delete(this.byKey.keys().next().value!)
      return v
    } catch (e) {
      this.byKey.delete(key)
      if (isAppError(e, 'UNAUTHENTICATED')) return null
      throw e
    }
  }
}
