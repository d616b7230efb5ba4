import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { StreamerStatus, statusChanged } from '@kickmon/shared/contracts'
import type { Logger } from '@kickmon/shared/logger'
import { STATUS_BUCKET, subjects } from '@kickmon/shared/subjects'

type Listener = (status: StreamerStatus | null, slug: string) => void

/**
 * Every streamer's current status, in memory: loaded from the KV `kick-status`, kept
 * current by `kick.status.>` (lowest latency) and reconciled from the KV after a reconnect.
 * A listener gets `null` when a streamer is removed.
 */
export class StatusStore {
  private statuses = new Map<string, StreamerStatus>()
  private listeners = new Set<Listener>()
  private loading: Promise<void> | null = null
  private stopped = false

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {}

  async start() {
    this.nc.subscribe(subjects.statusAll, {
      callback: (err, msg) => {
        if (err) return
        try {
          this.set(StreamerStatus.parse(msg.json()))
        } catch (e) {
          this.log.warn({ subject: msg.subject, err: (e as Error).message }, 'ignoring malformed status')
        }
      },
    })
    this.nc.subscribe(subjects.streamerRemoved, {
      callback: (err, msg) => {
        if (err) return
        const slug = (msg.json() as { slug?: unknown }).slug
        if (typeof slug === 'string' && this.statuses.delete(slug)) this.emit(null, slug)
      },
    })
    if (!(await this.loadFromKv())) void this.loadUntilRead()
    void (async () => {
      for await (const s of this.nc.status()) if (s.type === 'reconnect') void this.loadUntilRead()
    })()
  }

  stop() {
    this.stopped = true
  }

  /**
   * Retries until the KV has been read in full once. Without it, a gateway that could not read
   * the bucket at start (not created yet, or JetStream too busy to answer) never learned of the
   * streamers whose status does not change again: they are not published again.
   */
  private loadUntilRead(): Promise<void> {
    this.loading ??= (async () => {
      for (let delay = 250; !this.stopped && !(await this.loadFromKv()); delay = Math.min(delay * 2, 5000)) await Bun.sleep(delay)
    })().finally(() => (this.loading = null))
    return this.loading
  }

  /** True when every key was read. */
  private async loadFromKv(): Promise<boolean> {
    try {
      const kv = await new Kvm(this.nc).open(STATUS_BUCKET)
      for await (const key of await kv.keys()) {
        const e = await kv.get(key)
        if (!e?.value.length) continue
        const parsed = StreamerStatus.safeParse(e.json())
        // The KV trails core publishes slightly: keep whichever reading is newer.
        if (!parsed.success) continue
        const cur = this.statuses.get(key)
        if (!cur || (parsed.data.checked_at ?? '') > (cur.checked_at ?? '')) this.set(parsed.data)
      }
      return true
    } catch (e) {
      if (!this.loading) this.log.info({ err: (e as Error).message }, 'status bucket not readable yet (no poller so far, or JetStream busy); retrying')
      return false
    }
  }

  /** Stores a status; only a real change reaches the listeners (a republish after a reconnect is not one). */
  set(s: StreamerStatus) {
    const cur = this.statuses.get(s.slug)
    this.statuses.set(s.slug, s)
    if (!cur || statusChanged(cur, s)) this.emit(s, s.slug)
  }

  private emit(s: StreamerStatus | null, slug: string) {
    for (const l of this.listeners) l(s, slug)
  }

  onChange(l: Listener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  get(slug: string) {
    return this.statuses.get(slug) ?? null
  }

  all(): StreamerStatus[] {
    return [...this.statuses.values()]
  }
}
