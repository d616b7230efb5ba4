import { KvWatchInclude, Kvm, type KvEntry } from '@nats-io/kv'
import type { QueuedIterator } from '@nats-io/transport-node'
import type { NatsConnection } from '@nats-io/transport-node'
import { StreamerStatus, statusChanged } from '@kickmon/shared/contracts/status'
import type { Logger } from '@kickmon/shared/logger'
import { STATUS_BUCKET, subjects } from '@kickmon/shared/contracts/names'
import { StreamerRemoved } from '@kickmon/shared/contracts/poller'

type Listener = (status: StreamerStatus | null, slug: string) => void

/**
 * Every streamer's current status, in memory: loaded from the KV `kick-status`, kept
 * current by `kick.status.>` (lowest latency) and by a watch on the KV's later writes (the
 * poller publishes first and writes the KV a moment later, so a gateway starting in between
 * would otherwise miss a quiet streamer for good), and reconciled after a reconnect.
 * A listener gets `null` when a streamer is removed.
 */
export class StatusStore {
  private statuses = new Map<string, StreamerStatus>()
  private listeners = new Set<Listener>()
  private loading: Promise<void> | null = null
  private watcher: QueuedIterator<KvEntry> | null = null
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
        let r: ReturnType<typeof StreamerRemoved.safeParse> | null = null
        try {
          r = StreamerRemoved.safeParse(msg.json())
        } catch {} // not JSON: as malformed as a wrong shape
        if (r?.success) this.remove(r.data.slug)
        else this.log.warn({ subject: msg.subject }, 'ignoring malformed streamer removal')
      },
    })
    if (!(await this.loadFromKv())) void this.loadUntilRead()
    void (async () => {
      for await (const s of this.nc.status()) if (s.type === 'reconnect') void this.loadUntilRead()
    })()
  }

  stop() {
    this.stopped = true
    this.watcher?.stop()
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
      // Watch first, then list: every write lands in one or the other.
      if (!this.watcher && !this.stopped) {
        const w = await kv.watch({ include: KvWatchInclude.UpdatesOnly, ignoreDeletes: true })
        this.watcher = w
        void (async () => {
          for await (const e of w) this.setIfNewer(e)
        })().catch((err) => this.log.warn({ err: (err as Error).message }, 'status KV watch ended'))
      }
      for await (const key of await kv.keys()) {
        const e = await kv.get(key)
        if (e) this.setIfNewer(e)
      }
      return true
    } catch (e) {
      if (!this.loading) this.log.info({ err: (e as Error).message }, 'status bucket not readable yet (no poller so far, or JetStream busy); retrying')
      return false
    }
  }

  /** A KV entry, unless what we hold is newer (the KV trails core publishes slightly). */
  private setIfNewer(e: KvEntry) {
    if (e.operation !== 'PUT' || !e.value.length) return
    let parsed
    try {
      parsed = StreamerStatus.safeParse(e.json())
    } catch {
      return
    }
    if (!parsed.success) return
    const cur = this.statuses.get(e.key)
    if (!cur || (parsed.data.checked_at ?? '') > (cur.checked_at ?? '')) this.set(parsed.data)
  }

  /** Stores a status; only a real change reaches the listeners (a republish after a reconnect is not one). */
  set(s: StreamerStatus) {
    const cur = this.statuses.get(s.slug)
    this.statuses.set(s.slug, s)
    if (!cur || statusChanged(cur, s)) this.emit(s, s.slug)
  }

  /** A streamer no longer monitored: listeners get `null`. */
  remove(slug: string) {
    if (this.statuses.delete(slug)) this.emit(null, slug)
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
