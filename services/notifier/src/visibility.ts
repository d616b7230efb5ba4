import type { NatsConnection } from '@nats-io/transport-node'
import type { Visible } from '@kickmon/shared/contracts/auth'
import { AuthInternalApi } from '@kickmon/shared/contracts/auth-internal'
import { AccessChangedEvent, SessionsRevokedEvent } from '@kickmon/shared/contracts/auth'
import { subjects } from '@kickmon/shared/contracts/names'
import type { Logger } from '@kickmon/shared/logger'
import { request } from '@kickmon/shared/rpc'

// Which streamers a rule's owner may see, asked of auth (auth.internal.access.visible) and cached briefly
// (dropped when auth announces an access change). A rule only ever sends about streamers its
// owner can see at the time of the event: a removed assignment stops the alerts at once.

const TTL_MS = 30_000

export class Visibility {
  private cache = new Map<number, { v: Visible; until: number }>()

  constructor(private readonly nc: NatsConnection, private readonly log: Logger) {}

  /** `onUserDeleted`: auth removed a user (their channels and rules go too). */
  watch(onUserDeleted: (userId: number) => void) {
    const body = (msg: { json: () => unknown }) => {
      try {
        return msg.json()
      } catch {
        return null
      }
    }
    const changed = this.nc.subscribe(subjects.accessChanged, {
      callback: (err, msg) => {
        const r = err ? null : AccessChangedEvent.safeParse(body(msg))
        if (r?.success) this.cache.delete(r.data.user_id)
      },
    })
    const revoked = this.nc.subscribe(subjects.sessionRevoked, {
      callback: (err, msg) => {
        const r = err ? null : SessionsRevokedEvent.safeParse(body(msg))
        if (!r?.success) return
        this.cache.delete(r.data.user_id)
        if (r.data.reason === 'user_deleted') onUserDeleted(r.data.user_id)
      },
    })
    return () => {
      changed.unsubscribe()
      revoked.unsubscribe()
    }
  }

  /** Owner null (an operator's rule) sees everything. */
  async maySee(ownerId: number | null, slug: string): Promise<boolean> {
    if (ownerId === null) return true
    const hit = this.cache.get(ownerId)
    let v: Visible | null = hit && hit.until > Date.now() ? hit.v : null
    if (!v) {
      try {
        v = await request(this.nc, AuthInternalApi.accessVisible.subject, { user_id: ownerId }, AuthInternalApi.accessVisible.output)
      } catch (e) {
        // A deleted user's rules are deleted with them; anything else is auth being away: retry later.
        if ((e as { code?: string }).code === 'NOT_FOUND') return false
        throw e
      }
      this.cache.set(ownerId, { v, until: Date.now() + TTL_MS })
    }
    return v.all || v.slugs.includes(slug)
  }

  forget(userId: number) {
    this.cache.delete(userId)
    this.log.debug({ userId }, 'visibility forgotten')
  }
}
