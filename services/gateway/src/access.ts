import type { StreamerStatus } from '@kickmon/shared/contracts'
import type { AuthClient, VerifiedSession } from './auth-client.ts'
import type { SessionCache } from './session-cache.ts'

const TTL_MS = 5_000

/** Which streamers a session may see; cached briefly, dropped when auth says access changed. */
export class AccessCache {
  private byUser = new Map<number, { all: boolean; slugs: Set<string>; until: number }>()

  constructor(
    private readonly auth: AuthClient,
    sessions: SessionCache,
  ) {
    sessions.onAccessChanged((userId) => this.byUser.delete(userId))
    sessions.onRevoked((_, userId) => userId !== null && this.byUser.delete(userId))
  }

  async visible(s: VerifiedSession): Promise<{ all: boolean; slugs: Set<string> }> {
    if (s.user.role === 'admin') return { all: true, slugs: new Set() }
    const hit = this.byUser.get(s.user.id)
    if (hit && hit.until > Date.now()) return hit
    const v = await this.auth.visible(s.token)
    const entry = { all: v.all, slugs: new Set(v.slugs), until: Date.now() + TTL_MS }
    this.byUser.set(s.user.id, entry)
    return entry
  }

  async filter(s: VerifiedSession, list: StreamerStatus[]): Promise<StreamerStatus[]> {
    const v = await this.visible(s)
    return v.all ? list : list.filter((x) => v.slugs.has(x.slug))
  }

  async maySee(s: VerifiedSession, slug: string): Promise<boolean> {
    const v = await this.visible(s)
    return v.all || v.slugs.has(slug)
  }
}
