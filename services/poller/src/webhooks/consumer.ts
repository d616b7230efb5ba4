import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from '@kickmon/shared/logger'
import { WEBHOOKS_STREAM, webhookEventName } from '@kickmon/shared/contracts/names'
import { webhookDurable } from '@kickmon/shared/contracts/poller'
import type { Monitor } from '../detection/monitor.ts'
import type { UpstreamStats } from '../upstream-stats.ts'
import { MalformedWebhook, webhookReading } from './payloads.ts'

/**
 * Message ids this process remembers. Replays are JetStream's to drop (its duplicate window spans
 * every timestamp the gateway accepts: shared/src/webhook-window.ts); this only catches a repeat
 * that reached the stream anyway, such as a Kick retry of the same id after that window.
 */
const SEEN_IDS = 10_000

export type WebhookConsumerOptions = {
  /** Older deliveries are acknowledged but not applied: polling has long since said the same or better. */
  maxAgeMs: number
  /**
   * This poller's name: each instance has its own durable consumer `poller-webhooks-<id>`, sees
   * every delivery and applies those for the streamers it owns (docs/scaling.md).
   */
  instanceId: string
  /** A streamer a peer owns (not ours to apply, and not "unmatched"). */
  ownedByPeer?: (target: { userId: number | null; slug: string | null }) => boolean
}

/**
 * Applies the deliveries the gateway verified (KICK_WEBHOOKS) to the state machine with
 * `source: webhook`, in order, acknowledging each after it was applied. A delivery that
 * cannot be read is terminated (never redelivered) and logged.
 */
export class WebhookConsumer {
  private messages: ConsumerMessages | null = null
  private done: Promise<void> | null = null
  private seen = new Set<string>()
  /** Kick's send time of the newest delivery consumed: the webhook path works (webhooks/coverage.ts). */
  lastDeliveryAt: number | null = null

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly monitor: Monitor,
    private readonly stats: UpstreamStats,
    private readonly log: Logger,
    private readonly opts: WebhookConsumerOptions,
  ) {}

  get durable() {
    return webhookDurable(this.opts.instanceId)
  }

  async start() {
    const jsm = await jetstreamManager(this.nc)
    // A new instance starts with what arrives from now on (older news is the previous owner's,
    // or polling's); the same instance restarted resumes where it stopped. An instance gone
    // for longer than maxAge would apply nothing it missed, so its consumer is deleted then.
    await jsm.consumers
      .add(WEBHOOKS_STREAM, {
        durable_name: this.durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New,
        ack_wait: 30e9, max_ack_pending: 1000, inactive_threshold: this.opts.maxAgeMs * 1e6,
      })
      .catch((e) => {
        if (!String(e.message).includes('already')) throw e
      })
    const consumer = await this.js.consumers.get(WEBHOOKS_STREAM, this.durable)
    this.messages = await consumer.consume({ max_messages: 200 })
    this.done = (async () => {
      for await (const m of this.messages!) {
        try {
          this.handle(m)
        } catch (err) {
          this.log.error({ err, seq: m.seq }, 'applying a webhook delivery failed; retrying it')
          m.nak(5000)
        }
      }
    })()
  }

  async stop() {
    await this.messages?.close()
    await this.done
  }

  handle(m: JsMsg, now = Date.now()) {
    const h = m.headers
    const type = h?.get('Kick-Event-Type') || webhookEventName(m.subject)
    const messageId = h?.get('Kick-Event-Message-Id') ?? ''
    const sentAt = Date.parse(h?.get('Kick-Event-Message-Timestamp') ?? '')
    const w = this.stats.webhooks
    w.received++
    if (messageId && this.seen.has(messageId)) {
      w.duplicates++
      return m.ack()
    }
    if (!Number.isNaN(sentAt)) this.stats.webhookLag(now - sentAt)
    // By Kick's send time: a backlog consumed after this poller was stopped says nothing about now.
    const sent = Number.isNaN(sentAt) ? now : Math.min(now, sentAt)
    if (sent > (this.lastDeliveryAt ?? 0)) this.lastDeliveryAt = sent

    let parsed
    try {
      parsed = webhookReading(type, m.json(), Number.isNaN(sentAt) ? now : Math.min(now, sentAt))
    } catch (err) {
      w.malformed++
      const reason = err instanceof MalformedWebhook ? err.message : 'body is not JSON'
      this.log.warn({ type, messageId, seq: m.seq, reason }, 'malformed webhook delivery; dropping it')
      return m.term()
    }
    if (!parsed) {
      w.otherEvents++ // an event type we never subscribe to
      return m.ack()
    }
    if (!Number.isNaN(sentAt) && now - sentAt > this.opts.maxAgeMs) {
      w.tooOld++
      this.log.info({ type, messageId, ageS: Math.round((now - sentAt) / 1000) }, 'webhook delivery too old to apply; polling covers it')
      return m.ack()
    }
    const { target, reading } = parsed
    const applied =
      (target.userId !== null && this.monitor.applyByUserId(target.userId, reading)) || (target.slug !== null && this.monitor.apply(target.slug, reading))
    if (!applied && !this.opts.ownedByPeer?.(target)) w.unmatched++
    this.remember(messageId)
    m.ack()
  }

  private remember(id: string) {
    if (!id) return
    this.seen.add(id)
    // Sets iterate in insertion order: drop the oldest.
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value!)
  }
}
