import type { Counters } from './counters.ts'
import type { Faults } from './faults.ts'
import type { Signer } from './signing.ts'
import type { Subscription, Subscriptions } from './subscriptions.ts'
import { rfc3339 } from './time.ts'
import { ulid } from './ulid.ts'
import { avatarUrl, publicCategory } from './views.ts'
import type { Channel, PastStream, World } from './world.ts'

// Delivers livestream.status.updated / livestream.metadata.updated to the app's webhook URL
// (kick-api.md §3.4–3.6): one POST per subscription (duplicates included), six Kick-Event-*
// headers, ULID message ids, RSA signature; faults delay/drop/duplicate/reorder; a
// subscription that keeps failing for `unsubscribeAfterS` is removed, as Kick does after a day.

export type WebhookEvent = 'livestream.status.updated' | 'livestream.metadata.updated'

export type WebhookOptions = {
  url?: string
  unsubscribeAfterS: number
  timeoutMs?: number
  concurrency?: number
  clock: () => number
  baseUrl: () => string
  onError?: (err: unknown, url: string) => void
}

type Delivery = { sub: Subscription; event: WebhookEvent; body: string; messageId: string; timestamp: string }

export class Webhooks {
  url: string | undefined
  /** A subscription failing for this long is removed (Kick: about a day; the control API shortens it). */
  unsubscribeAfterS: number
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private readonly inFlight = new Set<Promise<void>>()
  private readonly queue: Delivery[] = []
  private active = 0
  private reorderBuf: Delivery[] = []
  private stopped = false

  constructor(
    world: World,
    private readonly subs: Subscriptions,
    private readonly signer: Signer,
    private readonly faults: Faults,
    private readonly counters: Counters,
    private readonly opts: WebhookOptions,
  ) {
    this.url = opts.url
    this.unsubscribeAfterS = opts.unsubscribeAfterS
    world.onChange((c) => {
      if (c.kind === 'status') this.fire(c.channel, 'livestream.status.updated', c.ended)
      else this.fire(c.channel, 'livestream.metadata.updated')
    })
  }

  /** Sends `event` for the channel's current state to every matching subscription; returns how many. */
  fire(ch: Channel, event: WebhookEvent, ended: PastStream | null = null): number {
    if (this.stopped) return 0
    const targets = this.subs.forEvent(ch.userId, event)
    if (targets.length === 0) return 0
    const body = JSON.stringify(event === 'livestream.status.updated' ? this.statusBody(ch, ended) : this.metadataBody(ch))
    for (const sub of targets) this.dispatch(this.delivery(sub, event, body))
    return targets.length
  }

  private delivery(sub: Subscription, event: WebhookEvent, body: string): Delivery {
    const now = this.opts.clock()
    return { sub, event, body, messageId: ulid(now), timestamp: rfc3339(now) }
  }

  private broadcaster(ch: Channel): object {
    return {
      is_anonymous: false,
      user_id: ch.userId,
      username: ch.username,
      is_verified: ch.verified,
      profile_picture: avatarUrl(this.opts.baseUrl(), ch),
      channel_slug: ch.slug,
      identity: null,
    }
  }

  private statusBody(ch: Channel, ended: PastStream | null): object {
    if (ch.live && ch.stream) {
      return { broadcaster: this.broadcaster(ch), is_live: true, title: ch.title, started_at: rfc3339(ch.stream.startedAt), ended_at: null }
    }
    const last = ended ?? ch.past[0] ?? null
    return {
      broadcaster: this.broadcaster(ch),
      is_live: false,
      title: last?.title ?? ch.title,
      started_at: last ? rfc3339(last.startedAt) : null,
      ended_at: last ? rfc3339(last.endedAt) : null,
    }
  }

  private metadataBody(ch: Channel): object {
    return {
      broadcaster: this.broadcaster(ch),
      metadata: { title: ch.title, language: ch.language, has_mature_content: ch.mature, category: publicCategory(this.opts.baseUrl(), ch.category) },
    }
  }

  // ---- faults and scheduling ------------------------------------------------------------
  private dispatch(d: Delivery): void {
    const c = this.counters.webhooks
    if (!this.url) {
      c.skipped_no_url++
      return
    }
    const wf = this.faults.current.webhook ?? {}
    if (this.faults.hit(wf.dropRate)) {
      c.dropped++
      return
    }
    const copies = [d]
    if (this.faults.hit(wf.duplicateRate)) {
      copies.push(d)
      c.duplicated++
    }
    if (this.faults.hit(wf.duplicateNewIdRate)) {
      copies.push(this.delivery(d.sub, d.event, d.body))
      c.duplicated++
    }
    const delay = (wf.delayMs ?? 0) + (wf.delayJitterMs ? Math.floor(this.faults.random() * wf.delayJitterMs) : 0)
    if (delay > 0) c.delayed += copies.length
    for (const copy of copies) {
      if (wf.reorderWindowMs) this.later(delay, () => this.hold(copy, wf.reorderWindowMs ?? 0))
      else this.later(delay, () => this.enqueue(copy))
    }
  }

  /** Reordering: deliveries collected during a window go out newest first. */
  private hold(d: Delivery, windowMs: number): void {
    this.reorderBuf.push(d)
    if (this.reorderBuf.length > 1) return
    this.later(windowMs, () => {
      const batch = this.reorderBuf.reverse()
      this.reorderBuf = []
      if (batch.length > 1) this.counters.webhooks.reordered += batch.length
      for (const x of batch) this.enqueue(x)
    })
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0) return fn()
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (!this.stopped) fn()
    }, ms)
    this.timers.add(t)
  }

  private enqueue(d: Delivery): void {
    this.queue.push(d)
    this.pump()
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 64
    while (this.active < limit && this.queue.length > 0 && !this.stopped) {
      const d = this.queue.shift() as Delivery
      this.active++
      const p = this.send(d).finally(() => {
        this.active--
        this.inFlight.delete(p)
        this.pump()
      })
      this.inFlight.add(p)
    }
  }

  private async send(d: Delivery): Promise<void> {
    const url = this.url
    if (!url || !this.subs.get(d.sub.id)) return // unsubscribed while queued
    const c = this.counters.webhooks
    c.sent++
    let ok = false
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'Kick-Event-Message-Id': d.messageId,
          'Kick-Event-Subscription-Id': d.sub.id,
          'Kick-Event-Signature': this.signer.sign(d.messageId, d.timestamp, d.body),
          'Kick-Event-Message-Timestamp': d.timestamp,
          'Kick-Event-Type': d.event,
          'Kick-Event-Version': String(d.sub.version),
        },
        body: d.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      })
      await res.arrayBuffer().catch(() => undefined)
      ok = res.status >= 200 && res.status < 300
    } catch (err) {
      this.opts.onError?.(err, url)
    }
    if (ok) {
      c.delivered++
      d.sub.failingSince = null
      return
    }
    c.failed++
    const now = this.opts.clock()
    d.sub.failingSince ??= now
    if (now - d.sub.failingSince >= this.unsubscribeAfterS * 1000 && this.subs.delete(d.sub.id)) c.unsubscribed++
  }

  /** Removes every subscription whose deliveries are failing, as if a day had passed; returns how many. */
  expireFailing(): number {
    let n = 0
    for (const s of this.subs.list()) if (s.failingSince !== null && this.subs.delete(s.id)) n++
    this.counters.webhooks.unsubscribed += n
    return n
  }

  /** Resolves when nothing is queued or in flight (tests). Timers still pending are not waited for. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.queue.length = 0
    this.reorderBuf = []
    await Promise.race([Promise.allSettled([...this.inFlight]), Bun.sleep(2000)])
  }
}
