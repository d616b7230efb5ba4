import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { AuthClient } from '../clients/auth-client.ts'
import type { Caller } from './request-auth.ts'
import type { SessionCache } from './session-cache.ts'

const TTL_MS = 5_000

export type Visibility = { all: boolean; slugs: Set<string> }

/** Which streamers a caller may see; cached per user briefly, dropped when auth says access changed. */
export class AccessCache {
  private byUser = new Map<number, Visibility & { until: number }>()
  private listeners = new Set<(userId: number) => void>()

  constructor(
    private readonly auth: AuthClient,
    sessions: SessionCache,
  ) {
    sessions.onAccessChanged((userId) => this.forget(userId))
    sessions.onRevoked((ev) => this.forget(ev.user_id))
  }

  /** Drop a user's cached set (also after the gateway itself changed their assignments). */
  forget(userId: number) {
    this.byUser.delete(userId)
    for (const l of this.listeners) l(userId)
  }

  onForget(l: (userId: number) => void) {
    this.listeners.add(l)
  }

  async visible(c: Pick<Caller, 'user' | 'actor'>, requestId?: string): Promise<Visibility> {
    if (c.user.role === 'admin') return { all: true, slugs: new Set() }
    const hit = this.byUser.get(c.user.id)
    if (hit && hit.until > Date.now()) return hit
    const v = await this.auth.visible(c.actor, requestId)
    const entry = { all: v.all, slugs: new Set(v.slugs), until: Date.now() + TTL_MS }
    this.byUser.set(c.user.id, entry)
    return entry
  }

  async filter(c: Pick<Caller, 'user' | 'actor'>, list: StreamerStatus[], requestId?: string): Promise<StreamerStatus[]> {
    const v = await this.visible(c, requestId)
    return v.all ? list : list.filter((x) => v.slugs.has(x.slug))
  }

  async maySee(c: Pick<Caller, 'user' | 'actor'>, slug: string, requestId?: string): Promise<boolean> {
    const v = await this.visible(c, requestId)
    return v.all || v.slugs.has(slug)
  }
}
