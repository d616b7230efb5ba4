import type { JetStreamClient } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import type { StatusEvent, StreamerStatus } from '@kickmon/shared/contracts/status'
import { subjects } from '@kickmon/shared/contracts/names'
import type { Logger } from '@kickmon/shared/logger'
import { backoffMs } from '../kick/backoff.ts'

type Item = { status: StreamerStatus; events: StatusEvent[] }

/**
 * Gets state changes out of the poller without loss:
 * - `kick.status.<slug>` is published at once (core NATS, lowest latency for dashboards);
 * - events go to JetStream in order, retried until acknowledged (dedupe by event id);
 * - the KV `kick-status` is written only after a change's events are acknowledged, so the
 *   KV is the committed state a restarted poller resumes from: a change whose events never
 *   made it is detected again, with the same deterministic event id.
 */
export class StatusCommitter {
  private queue: Item[] = []
  private dirty = new Map<string, StreamerStatus>()
  /** Removed streamers: no pending status of theirs may be written back after the delete. */
  private removed = new Set<string>()
  /** Submission order of the statuses held: an acknowledged status must not replace a later one. */
  private order = new WeakMap<StreamerStatus, number>()
  private submitted = 0
  private running = false
  private wake: (() => void) | null = null
  private loop: Promise<void> | null = null
  private flushTimer: Timer | null = null
  eventsPublished = 0

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  start() {
    this.running = true
    this.loop = this.run()
    this.flushTimer = setInterval(() => void this.flushDirty(), 1000)
  }

  async stop() {
    this.running = false
    this.wake?.()
    await this.loop
    if (this.flushTimer) clearInterval(this.flushTimer)
    await this.flushDirty()
  }

  /** Called synchronously after the state machine ran. */
  submit(status: StreamerStatus, events: StatusEvent[], changed: boolean) {
    this.removed.delete(status.slug) // monitored (again)
    this.order.set(status, ++this.submitted)
    if (changed || events.length) this.publishStatus(status)
    if (events.length) {
      this.queue.push({ status, events })
      this.wake?.()
    } else if (changed) this.dirty.set(status.slug, status)
  }

  publishStatus(status: StreamerStatus) {
    try {
      this.nc.publish(subjects.status(status.slug), JSON.stringify(status))
    } catch (err) {
      this.log.warn({ err, slug: status.slug }, 'status publish failed')
    }
  }

  /** A streamer no longer monitored: drop its unwritten status, then its KV entry. */
  remove(slug: string) {
    this.dirty.delete(slug)
    this.removed.add(slug)
    void this.kv.delete(slug).catch(() => {})
  }

  /** After a reconnect: subscribers may have missed core publishes, so send everything again. */
  republish(statuses: Iterable<StreamerStatus>) {
    for (const s of statuses) {
      this.order.set(s, ++this.submitted)
      this.publishStatus(s)
      this.dirty.set(s.slug, s)
    }
  }

  get pending() {
    return this.queue.length + this.dirty.size
  }

  private async run() {
    let attempt = 0
    while (this.running || this.queue.length) {
      if (!this.queue.length) {
        await new Promise<void>((r) => (this.wake = r))
        this.wake = null
        continue
      }
      const batch = this.queue.slice(0, 500)
      try {
        // Published together (the connection keeps their order), acknowledged together.
        await Promise.all(batch.flatMap((it) => it.events.map((e) => this.js.publish(subjects.event(e.slug, e.type), JSON.stringify(e), { msgID: e.id }))))
        this.queue.splice(0, batch.length)
        this.eventsPublished += batch.reduce((n, it) => n + it.events.length, 0)
        attempt = 0
        // Written once acknowledged, unless a later status of the streamer waits already (a change
        // without events submitted meanwhile): writing this one over it would leave the KV behind.
        for (const it of batch) if (!this.removed.has(it.status.slug) && !this.laterWaiting(it.status)) this.dirty.set(it.status.slug, it.status)
        await this.flushDirty()
      } catch (err) {
        if (!this.running && attempt > 3) {
          this.log.error({ pending: this.queue.length }, 'stopping with unpublished events; they will be detected again at start')
          return
        }
        const wait = backoffMs(attempt++, 200, 5000)
        this.log.warn({ err: (err as Error).message, pending: this.queue.length, retryInMs: wait }, 'event publish failed; retrying')
        await Bun.sleep(wait)
      }
    }
  }

  private laterWaiting(s: StreamerStatus): boolean {
    const d = this.dirty.get(s.slug)
    return !!d && (this.order.get(d) ?? 0) > (this.order.get(s) ?? 0)
  }

  private async flushDirty() {
    if (!this.dirty.size) return
    // Statuses whose events are still queued must wait for them.
    const queued = new Set(this.queue.map((it) => it.status.slug))
    const puts: Promise<unknown>[] = []
    for (const [slug, status] of this.dirty) {
      if (queued.has(slug)) continue
      this.dirty.delete(slug)
      puts.push(
        this.kv.put(slug, JSON.stringify(status)).catch((err) => {
          if (!this.dirty.has(slug) && !this.removed.has(slug)) this.dirty.set(slug, status)
          this.log.debug({ err: (err as Error).message, slug }, 'kv put failed; will retry')
        }),
      )
    }
    await Promise.all(puts)
  }
}
