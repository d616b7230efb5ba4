import { isAppError } from '@kickmon/shared/errors'
import type { AuthClient, VerifiedKey } from './auth-client.ts'
import type { SessionCache } from './session-cache.ts'

const TTL_MS = 5_000
const MAX_ENTRIES = 10_000
export const API_KEY_RE = /^kmk_[0-9a-f]{8}_[0-9a-f]{64}$/

/**
 * Verified API keys, cached for a few seconds (auth publishes no event when a key is
 * revoked, so a revoked key works for at most TTL_MS more). Anything that ends a user's
 * sessions (disable, delete, role change) evicts that user's keys at once.
 */
export class ApiKeyCache {
  private byKey = new Map<string, { key: VerifiedKey; until: number }>()

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
