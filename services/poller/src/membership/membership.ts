import { hostname } from 'node:os'
import { KvWatchInclude, type KV, type KvEntry } from '@nats-io/kv'
import type { QueuedIterator } from '@nats-io/transport-node'
import { PollerMember } from '@kickmon/shared/contracts/poller'
import type { Logger } from '@kickmon/shared/logger'
import { ownerOf } from './rendezvous.ts'

/**
 * A member is declared gone when nothing was heard from it for `ttlMs`; the bucket's
 * max_age is the same TTL, so a newcomer never sees a long-dead member.
 */
export type MembershipTiming = { heartbeatMs: number; ttlMs: number }
export const MEMBERSHIP_DEFAULTS: MembershipTiming = { heartbeatMs: 1000, ttlMs: 3000 }


/**
 * Which pollers are alive. Each one puts its key every `heartbeatMs`; a KV watch shows
 * joins and clean leaves at once, and a member not heard from for `ttlMs` (killed, cut
 * off) is dropped by everyone on their own clock. Nothing elects anything: every member
 * computes the same ownership from the same list (rendezvous hashing), and the oldest
 * member is the leader for the few jobs that must run once.
 */
export class Membership {
  readonly self: PollerMember
  private peers = new Map<string, { info: PollerMember; seenAt: number }>()
  private current: string[]
  /** The member list before the last change, and when it changed (hand-over timing). */
  previous: string[] = []
  changedAt = Date.now()
  private lastBeatFailure = 0
  /** When our own heartbeat last came back on the watch, and since when without a gap. */
  private selfHeardAt = 0
  private hearingSince = 0
  private timer: Timer | null = null
  private watcher: QueuedIterator<KvEntry> | null = null
  private running = false
  /** Told after every change of the member list. */
  onChange: () => void = () => {}

  constructor(
    private readonly kv: KV,
    id: string,
    private readonly timing: MembershipTiming,
    private readonly log: Logger,
  ) {
    this.self = { id, started_at: new Date().toISOString(), host: hostname(), nonce: crypto.randomUUID() }
    this.current = [id]
  }

  get id() {
    return this.self.id
  }

  /** Live members' ids, sorted (this one included). */
  get ids(): readonly string[] {
    return this.current
  }

  get alone() {
    return this.current.length === 1
  }

  owns(key: string): boolean {
    return this.alone || ownerOf(key, this.current) === this.self.id
  }

  /** The member that joined first (ties by id): runs what must run on one instance only. */
  leader(): string {
    const all = [this.self, ...[...this.peers.values()].map((p) => p.info)]
    all.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id))
    return all[0]!.id
  }

  async start() {
    this.running = true
    // The bucket may be electing a leader (a NATS node just restarted): keep trying for a while.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.beat(true)
        break
      } catch (err) {
        if (attempt >= 60) throw err
        await Bun.sleep(500)
      }
    }
    this.watcher = await this.kv.watch({ include: KvWatchInclude.UpdatesOnly })
    void this.follow(this.watcher)
    for await (const key of await this.kv.keys()) {
      if (key === this.id) continue
      const e = await this.kv.get(key)
      if (e?.operation === 'PUT') this.heard(e)
    }
    // Joining is a change from everyone else to everyone else plus us.
    this.current = this.sorted()
    this.previous = this.current.filter((m) => m !== this.id)
    this.changedAt = Date.now()
    this.log.info({ members: this.current }, 'joined the pollers')
    this.timer = setInterval(() => {
      void this.beat()
      this.sweep()
    }, this.timing.heartbeatMs)
  }

  /** Leave cleanly: the others take over at once instead of after the TTL. */
  async stop() {
    this.running = false
    if (this.timer) clearInterval(this.timer)
    this.watcher?.stop()
    await this.kv.delete(this.id).catch(() => {})
  }

  private async beat(first = false) {
    try {
      await this.kv.put(this.id, JSON.stringify(this.self))
    } catch (err) {
      if (first) throw err
      if (Date.now() - this.lastBeatFailure > this.timing.ttlMs) this.log.warn({ err: (err as Error).message }, 'membership heartbeat failed')
      this.lastBeatFailure = Date.now()
    }
  }

  private async follow(watcher: QueuedIterator<KvEntry>) {
    for await (const e of watcher) {
      if (e.key === this.id) {
        if (e.operation === 'PUT' && this.parse(e)?.nonce !== this.self.nonce)
          this.log.error('another poller runs with the same POLLER_INSTANCE_ID; give each its own')
        else if (e.operation === 'PUT') this.heardSelf()
        continue
      }
      if (e.operation === 'PUT') this.heard(e)
      else this.peers.delete(e.key)
      this.recompute()
    }
  }

  private heard(e: KvEntry) {
    const info = this.parse(e)
    if (info) this.peers.set(e.key, { info, seenAt: Date.now() })
  }

  private parse(e: KvEntry): PollerMember | null {
    try {
      return PollerMember.parse(e.json())
    } catch {
      this.log.warn({ key: e.key }, 'ignoring a malformed membership entry')
      return null
    }
  }

  private heardSelf() {
    const now = Date.now()
    if (now - this.selfHeardAt > 2 * this.timing.heartbeatMs) this.hearingSince = now
    this.selfHeardAt = now
  }

  /**
   * Drops peers not heard from for a TTL, but only while we hear our own heartbeats and have
   * for a whole TTL: when our puts fail or hang, or our watch lags (a NATS node or leader
   * change), the peers' silence proves nothing, and the member list is left as it is.
   */
  private sweep() {
    const now = Date.now()
    if (now - this.selfHeardAt > 2 * this.timing.heartbeatMs || now - this.hearingSince < this.timing.ttlMs) return
    for (const [id, p] of this.peers) if (now - p.seenAt > this.timing.ttlMs) this.peers.delete(id)
    this.recompute()
  }

  private sorted(): string[] {
    return [this.id, ...this.peers.keys()].sort()
  }

  private recompute() {
    if (!this.running) return
    const next = this.sorted()
    if (next.length === this.current.length && next.every((m, i) => m === this.current[i])) return
    this.previous = this.current
    this.current = next
    this.changedAt = Date.now()
    this.log.info({ members: next, before: this.previous }, 'pollers changed')
    this.onChange()
  }
}
