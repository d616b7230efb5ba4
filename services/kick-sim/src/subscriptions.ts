import { z } from 'zod'
import { intParams, kick } from './http.ts'
import type { Router } from './router.ts'
import { rfc3339 } from './time.ts'
import { ulid } from './ulid.ts'
import type { World } from './world.ts'

// Events API subscriptions (docs/kick-api.md#subscriptions): duplicates allowed (each one delivered),
// a per-app cap answering the documented limit error, DELETE by repeated `id`.

export const EVENT_TYPES = new Set([
  'chat.message.sent', 'channel.followed', 'channel.subscription.renewal', 'channel.subscription.gifts',
  'channel.subscription.new', 'channel.reward.redemption.updated', 'livestream.status.updated',
  'livestream.metadata.updated', 'moderation.banned', 'kicks.gifted',
])

export type Subscription = {
  id: string
  appId: string
  broadcasterUserId: number
  event: string
  version: number
  createdAt: number
  /** First failed delivery of the current failure streak; Kick unsubscribes after about a day. */
  failingSince: number | null
}

export class Subscriptions {
  private readonly byId = new Map<string, Subscription>()
  private readonly byBroadcaster = new Map<number, Set<Subscription>>()
  private readonly perApp = new Map<string, number>()
  constructor(readonly cap: number, private readonly clock: () => number) {}

  get size(): number {
    return this.byId.size
  }
  countFor(appId: string): number {
    return this.perApp.get(appId) ?? 0
  }

  create(appId: string, broadcasterUserId: number, event: string, version: number): Subscription {
    const now = this.clock()
    const sub: Subscription = { id: ulid(now), appId, broadcasterUserId, event, version, createdAt: now, failingSince: null }
    this.byId.set(sub.id, sub)
    let set = this.byBroadcaster.get(broadcasterUserId)
    if (!set) this.byBroadcaster.set(broadcasterUserId, (set = new Set()))
    set.add(sub)
    this.perApp.set(appId, this.countFor(appId) + 1)
    return sub
  }

  get(id: string): Subscription | undefined {
    return this.byId.get(id)
  }

  delete(id: string): boolean {
    const sub = this.byId.get(id)
    if (!sub) return false
    this.byId.delete(id)
    this.byBroadcaster.get(sub.broadcasterUserId)?.delete(sub)
    this.perApp.set(sub.appId, this.countFor(sub.appId) - 1)
    return true
  }

  list(appId?: string, broadcasterUserId?: number): Subscription[] {
    const source = broadcasterUserId === undefined ? this.byId.values() : (this.byBroadcaster.get(broadcasterUserId) ?? new Set()).values()
    return [...source].filter((s) => appId === undefined || s.appId === appId)
  }

  /** O(1) in the number of channels: the subscriptions a change must be delivered to. */
  forEvent(broadcasterUserId: number, event: string): Subscription[] {
    const set = this.byBroadcaster.get(broadcasterUserId)
    if (!set) return []
    return [...set].filter((s) => s.event === event)
  }
}

const Body = z.object({
  broadcaster_user_id: z.number().int().positive().optional(),
  events: z.array(z.object({ name: z.string(), version: z.number().int() })).min(1),
  method: z.string().optional(),
})

export function subscriptionRoutes(router: Router, subs: Subscriptions, world: World): void {
  router.add('POST', '/public/v1/events/subscriptions', 'api', async ({ req, auth }) => {
    if (!auth) return kick.unauthorized()
    let parsed: z.infer<typeof Body>
    try {
      const r = Body.safeParse(await req.json())
      if (!r.success) return kick.badRequest('invalid request body')
      parsed = r.data
    } catch {
      return kick.badRequest('invalid request body')
    }
    if ((parsed.method ?? 'webhook') !== 'webhook') return kick.badRequest('method must be webhook')
    const userId = parsed.broadcaster_user_id ?? (auth.type === 'user' ? auth.userId : null)
    if (userId === null) return kick.badRequest('broadcaster_user_id is required for app tokens')
    if (!world.byUserId(userId)) return kick.badRequest('broadcaster not found') // [INF]
    const valid = parsed.events.filter((e) => EVENT_TYPES.has(e.name) && e.version === 1)
    if (subs.countFor(auth.clientId) + valid.length > subs.cap) return kick.badRequest('event subscription limit reached')
    return kick.ok(parsed.events.map((e) => {
      if (!EVENT_TYPES.has(e.name) || e.version !== 1) {
        return { error: 'invalid event name or version', name: e.name, subscription_id: '', version: e.version }
      }
      const s = subs.create(auth.clientId, userId, e.name, e.version)
      return { error: '', name: e.name, subscription_id: s.id, version: e.version }
    }))
  })

  router.add('GET', '/public/v1/events/subscriptions', 'api', ({ url, auth }) => {
    const raw = url.searchParams.get('broadcaster_user_id')
    const ids = raw === null ? [] : intParams([raw])
    if (!ids) return kick.badRequest('broadcaster_user_id must be an integer')
    return kick.ok(subs.list(auth?.clientId ?? '', ids[0]).map((s) => ({
      app_id: s.appId,
      broadcaster_user_id: s.broadcasterUserId,
      created_at: rfc3339(s.createdAt),
      event: s.event,
      id: s.id,
      method: 'webhook',
      updated_at: rfc3339(s.createdAt),
      version: s.version,
    })))
  })

  router.add('DELETE', '/public/v1/events/subscriptions', 'api', ({ url, auth }) => {
    const ids = url.searchParams.getAll('id')
    if (ids.length === 0) return kick.badRequest('id is required')
    for (const id of ids) if (subs.get(id)?.appId === auth?.clientId) subs.delete(id)
    return new Response(null, { status: 204 })
  })
}
