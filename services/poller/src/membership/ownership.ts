import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { Logger } from '@kickmon/shared/logger'
import type { Monitor } from '../detection/monitor.ts'
import type { MonitoredRow } from '../channels/streamer-registry.ts'
import type { Membership } from './membership.ts'
import { ownerOf } from './rendezvous.ts'

/**
 * A peer that is still alive and hands streamers over (a newcomer joined) gets this long
 * to commit their last state to the KV (the committer writes it at least every second)
 * before the new owner resumes from it. A member that died is taken over at once.
 */
export const HANDOFF_MS = 2000

/**
 * Keeps the Monitor to this instance's share of the registry: streamers it owns are
 * watched (resumed from the KV's committed status when they arrive from a peer), the
 * rest are left to their owners. Placement runs one at a time, on every registry read
 * and every change of the member list.
 */
export class Ownership {
  /** The whole registry as last read (every instance reads it each cycle). */
  rows: MonitoredRow[] = []
  private slugs = new Set<string>()
  private userIds = new Set<number>()
  private chain: Promise<void> = Promise.resolve()
  private handoffTimer: Timer | null = null
  private stopped = false
  private loggedChange = 0
  /** Told the Kick user ids of streamers taken over, so they are polled now rather than next cycle. */
  onAcquired: (userIds: number[]) => void = () => {}

  constructor(
    private readonly membership: Membership,
    private readonly monitor: Monitor,
    /** The KV's committed status of these slugs (those it has). */
    private readonly committed: (slugs: string[]) => Promise<Map<string, StreamerStatus>>,
    private readonly log: Logger,
    private readonly handoffMs = HANDOFF_MS,
  ) {}

  /** Place `rows` (or the last read again, after a member change). `committed` skips the KV read (start-up). */
  place(rows?: MonitoredRow[], committed?: Map<string, StreamerStatus>): Promise<void> {
    if (rows) {
      this.rows = rows
      this.slugs = new Set(rows.map((r) => r.slug))
      this.userIds = new Set(this.resolvedUserIds())
    }
    this.chain = this.chain.then(() => this.placeNow(committed)).catch((err) => {
      this.log.warn({ err: (err as Error).message }, 'placing streamers failed; trying again at the next cycle')
    })
    return this.chain
  }

  stop() {
    this.stopped = true
    if (this.handoffTimer) clearTimeout(this.handoffTimer)
  }

  /** Is this streamer monitored (by anyone), as of the last registry read? */
  monitored(t: { slug?: string | null; userId?: number | null }): boolean {
    return (!!t.slug && this.slugs.has(t.slug)) || (t.userId != null && this.userIds.has(t.userId))
  }

  /** Every monitored streamer's Kick user id (the leader subscribes webhooks for all of them). */
  resolvedUserIds(): number[] {
    return this.rows.flatMap((r) => (r.kick_user_id === null ? [] : [Number(r.kick_user_id)]))
  }

  private async placeNow(committed?: Map<string, StreamerStatus>) {
    if (this.stopped) return
    const m = this.membership
    const rows = this.rows
    const handoffUntil = m.changedAt + this.handoffMs
    let wait = 0
    const owned: MonitoredRow[] = []
    const arriving: MonitoredRow[] = []
    for (const r of rows) {
      if (!m.owns(r.slug)) continue
      if (!this.monitor.get(r.slug)) {
        if (Date.now() < handoffUntil && this.fromLivePeer(r.slug)) {
          wait = handoffUntil - Date.now()
          continue
        }
        arriving.push(r)
      }
      owned.push(r)
    }
    // Alone since start, a new slug has nothing in the KV: skip the read, as a single poller always did.
    const peersSeen = !m.alone || m.previous.length > 1
    const base = committed ?? (arriving.length && peersSeen ? await this.committed(arriving.map((r) => r.slug)) : new Map())
    this.monitor.sync(owned, base, this.slugs)
    // Once per member change (adds and removals are not worth a line each).
    if (m.changedAt !== this.loggedChange) this.log.info({ owned: owned.length, of: rows.length, members: m.ids.length }, 'share of the streamers')
    this.loggedChange = m.changedAt
    if (arriving.length && peersSeen && !committed) this.onAcquired(arriving.flatMap((r) => (r.kick_user_id === null ? [] : [Number(r.kick_user_id)])))
    if (wait > 0 && !this.handoffTimer) {
      this.handoffTimer = setTimeout(() => {
        this.handoffTimer = null
        void this.place()
      }, wait + 10)
    }
  }

  /** Was this slug watched by a peer that is still alive, before the last member change? */
  private fromLivePeer(slug: string): boolean {
    const m = this.membership
    if (!m.previous.length) return false
    // Only the previous owner matters, computed as everyone computed it then.
    const prev = ownerOf(slug, m.previous)
    return prev !== null && prev !== m.id && m.ids.includes(prev)
  }
}
