import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { PEER_SYNC_SUBJECT, PeerSyncAnswer, PeerSyncRequest } from '@kickmon/shared/contracts/poller'
import type { Logger } from '@kickmon/shared/logger'
import type { Monitor } from '../detection/monitor.ts'
import type { Membership } from './membership.ts'

/**
 * After `poller.streamers.add|remove` (answered by any instance), the streamer's owner
 * must pick the change up at once, not at its next cycle. The instance that handled the
 * request broadcasts the slug; every poller re-reads the list (several requests at once
 * share one read), and the slug's owner answers with the status it now has.
 */
export class PeerSync {
  private sub: Subscription | null = null
  private queue: Msg[] = []
  private busy = false

  constructor(
    private readonly nc: NatsConnection,
    private readonly membership: Membership,
    private readonly monitor: Monitor,
    private readonly refresh: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  start() {
    this.sub = this.nc.subscribe(PEER_SYNC_SUBJECT, {
      callback: (err, msg) => {
        if (err) return
        this.queue.push(msg)
        void this.drain()
      },
    })
  }

  stop() {
    this.sub?.unsubscribe()
  }

  /** Null when no owner answered in time (it died a moment ago: its successor reads the list itself). */
  async announce(slug: string, timeoutMs = 2000): Promise<{ status: StreamerStatus | null } | null> {
    try {
      const reply = await this.nc.request(PEER_SYNC_SUBJECT, JSON.stringify({ slug }), { timeout: timeoutMs })
      return PeerSyncAnswer.parse(reply.json())
    } catch (err) {
      this.log.info({ slug, err: (err as Error).message }, 'no poller answered for this streamer')
      return null
    }
  }

  private async drain() {
    if (this.busy) return
    this.busy = true
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0)
        await this.refresh().catch((err) => this.log.warn({ err: (err as Error).message }, 'registry re-read failed'))
        for (const msg of batch) this.answer(msg)
      }
    } finally {
      this.busy = false
    }
  }

  private answer(msg: Msg) {
    let slug: string
    try {
      slug = PeerSyncRequest.parse(msg.json()).slug
    } catch {
      return this.log.info({ subject: msg.subject }, 'ignoring a malformed sync request')
    }
    if (msg.reply && this.membership.owns(slug)) msg.respond(JSON.stringify({ status: this.monitor.get(slug) }))
  }
}
