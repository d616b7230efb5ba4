import type { Monitor } from '../detection/monitor.ts'
import type { Coverage } from '../detection/poll-selection.ts'
import type { SubscriptionManager } from './subscription-manager.ts'

/**
 * How recently a delivery must have been sent for the webhook path to count as working. Kick sends
 * one for every go-live, end, title and category change of any monitored streamer, so an
 * installation of a few hundred sees several an hour; a quiet one (or a broken path) falls back to
 * polling everyone every interval.
 */
export const WEBHOOKS_ALIVE_MS = 30 * 60_000

/**
 * Which streamers Kick's webhooks can be relied on for right now: both subscriptions are in Kick's
 * list (the subscription manager, run by the leader; other pollers know none) and a verified
 * delivery was sent within `aliveMs` and reached this poller, so Kick → gateway → JetStream →
 * here works. Polling uses it to ask about covered offline streamers less often (detection/poll-selection.ts).
 */
export class WebhookCoverage {
  constructor(
    private readonly subscriptions: () => SubscriptionManager | null,
    private readonly lastDeliveryAt: () => number | null,
    private readonly monitor: Monitor,
    private readonly aliveMs = WEBHOOKS_ALIVE_MS,
  ) {}

  /** Each streamer's coverage for the coming cycle; null when webhooks cannot be relied on for anyone. */
  classifier(now = Date.now()): ((userId: number) => Coverage) | null {
    const subs = this.subscriptions()
    const last = this.lastDeliveryAt()
    if (!subs || last === null || now - last > this.aliveMs) return null
    return (userId) => {
      if (!subs.covers(userId)) return 'none'
      const slug = this.monitor.slugOf(userId)
      const status = slug === null ? null : this.monitor.get(slug)
      return status && !status.live && !status.stale ? 'covered-offline' : 'covered'
    }
  }
}
