import type { Logger } from '@kickmon/shared/logger'
import { LIMITS, type KickClient } from '../kick/client.ts'
import { readingFromChannel, readingFromLivestream } from '../channels/channel-readings.ts'
import { ChannelRenames } from '../channels/channel-renames.ts'
import type { Monitor } from './monitor.ts'
import { selectPolled, type Coverage } from './poll-selection.ts'
import { scheduleBatches } from './schedule-batches.ts'
import type { MonitoredRow, StreamerRegistry } from '../channels/streamer-registry.ts'

/**
 * `api: false` (browser-only mode, no credentials) keeps the streamer list in sync but calls no API.
 * `coveredOfflineEvery`: offline streamers webhooks cover are polled every this-many cycles (1: every cycle).
 */
export type PollLoopConfig = { intervalMs: number; batchSize: number; api?: boolean; coveredOfflineEvery?: number }

export type PollLoopHooks = {
  /** Told how long each full cycle took (poll_cycle_duration_seconds). */
  onCycle?: (ms: number) => void
  /** Told about every live-state batch (the browser fallback covers streamers whose polls keep failing). */
  onBatch?: (userIds: number[], ok: boolean) => void
  /** Gets each registry read (default: the Monitor syncs to it); with several pollers it keeps this instance's share (membership/ownership.ts). */
  onRows?: (rows: MonitoredRow[]) => Promise<void> | void
  /** How webhooks cover each streamer now (webhooks/coverage.ts); null: they cannot be relied on, poll everyone. */
  coverage?: () => ((userId: number) => Coverage) | null
}

/**
 * Every interval: pick up added/removed streamers, resolve new slugs (≤ 25 a call), then
 * poll live state in batches (≤ 100 ids a call) spread evenly over the interval; offline
 * streamers whose webhooks are in place and flowing only every N-th interval (poll-selection.ts).
 */
export class PollLoop {
  private running = false
  private timers = new Set<Timer>()
  private cycleTimer: Timer | null = null
  private tickTimer: Timer | null = null
  private missed = new Map<string, number>() // slug → cycles to wait before trying again
  private resolving: Promise<void> | null = null
  private outstanding = new Set<number>() // user ids whose live-state poll has not finished
  private round = 0
  // Polled less often in the latest cycle's plan and in the one before (a streamer just back to
  // every cycle may still be that long unread until its next poll).
  private reduced = new Set<number>()
  private reducedBefore = new Set<number>()
  /** Batches not sent because the same streamers' previous poll was still waiting (budget too small). */
  skippedBatches = 0
  cycles = 0
  lastCycleMs = 0
  private readonly onCycle: NonNullable<PollLoopHooks['onCycle']>
  private readonly onBatch: NonNullable<PollLoopHooks['onBatch']>
  private readonly onRows: NonNullable<PollLoopHooks['onRows']>
  private readonly coverage: NonNullable<PollLoopHooks['coverage']>
  /** Slugs Kick reports for the user ids we poll; shared with the metadata refresher. */
  readonly renames: ChannelRenames

  constructor(
    private readonly kick: KickClient,
    private readonly monitor: Monitor,
    private readonly registry: StreamerRegistry,
    private readonly cfg: PollLoopConfig,
    private readonly log: Logger,
    hooks: PollLoopHooks = {},
  ) {
    this.renames = new ChannelRenames(registry, monitor, log)
    this.onCycle = hooks.onCycle ?? (() => {})
    this.onBatch = hooks.onBatch ?? (() => {})
    this.onRows = hooks.onRows ?? ((rows) => this.monitor.sync(rows))
    this.coverage = hooks.coverage ?? (() => null)
  }

  start() {
    this.running = true
    void this.cycle()
    this.tickTimer = setInterval(() => this.monitor.tickAll(), 1000)
  }

  stop() {
    this.running = false
    if (this.cycleTimer) clearTimeout(this.cycleTimer)
    if (this.tickTimer) clearInterval(this.tickTimer)
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  /** Run a cycle now (after an add, so a new streamer shows up without waiting). */
  async refresh() {
    await this.syncRegistry()
    if (this.cfg.api !== false) await this.resolveOnce()
  }

  /**
   * Poll these now (streamers just taken over from a peer), and once more an interval later:
   * their slot in the next cycle may be up to two intervals away, and no gap may exceed one.
   */
  pollNow(userIds: number[]) {
    if (this.cfg.api === false || !userIds.length) return
    const size = Math.min(this.cfg.batchSize, LIMITS.livestreams)
    const batches: number[][] = []
    for (let i = 0; i < userIds.length; i += size) batches.push(userIds.slice(i, i + size))
    for (const b of batches) void this.pollBatch(b)
    const t = setTimeout(() => {
      this.timers.delete(t)
      for (const b of batches) void this.pollBatch(b)
    }, this.cfg.intervalMs)
    this.timers.add(t)
  }

  /** One resolution at a time: overlapping cycles must not look the same slugs up twice. */
  private resolveOnce(): Promise<void> {
    return (this.resolving ??= this.resolve().finally(() => (this.resolving = null)))
  }

  private async cycle() {
    if (!this.running) return
    const t0 = performance.now()
    this.cycleTimer = setTimeout(() => void this.cycle(), this.cfg.intervalMs)
    await this.syncRegistry()
    if (this.cfg.api === false) return
    // New slugs resolve in the background and join the next cycle; known ones are not held up.
    void this.resolveOnce()
    const plan = scheduleBatches(this.polledThisCycle(), Math.min(this.cfg.batchSize, LIMITS.livestreams), this.cfg.intervalMs)
    // Offsets count from the cycle's start, not from the end of the registry read (10,000 rows
    // can take a few hundred ms), so each streamer is polled once per interval, not drifting.
    const late = performance.now() - t0
    await Promise.all(
      plan.map(
        ({ offsetMs, batch }) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              this.timers.delete(t)
              this.pollBatch(batch).finally(resolve)
            }, Math.max(0, offsetMs - late))
            this.timers.add(t)
          }),
      ),
    )
    this.cycles++
    this.lastCycleMs = performance.now() - t0
    this.onCycle(this.lastCycleMs)
  }

  /** Offline streamers webhooks cover are polled this many cycles apart now (poll-selection.ts). */
  get coveredOffline(): number {
    return this.reduced.size
  }

  /** How much later than others a streamer turns stale: one polled less often is read that much less often. */
  staleSlackMs(userId: number): number {
    if (!this.reduced.has(userId) && !this.reducedBefore.has(userId)) return 0
    return ((this.cfg.coveredOfflineEvery ?? 1) - 1) * this.cfg.intervalMs
  }

  private polledThisCycle(): number[] {
    const ids = this.monitor.resolvedUserIds()
    const every = this.cfg.coveredOfflineEvery ?? 1
    const coverage = every > 1 ? this.coverage() : null
    const { polled, reduced } = coverage ? selectPolled(ids, coverage, this.round, every) : { polled: ids, reduced: [] }
    this.round++
    this.reducedBefore = this.reduced
    this.reduced = new Set(reduced)
    return polled
  }

  private async syncRegistry() {
    try {
      const rows = await this.registry.all()
      this.renames.seed(rows)
      await this.onRows(rows)
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not read the streamer list; polling the last known one')
    }
  }

  private async pollBatch(planned: number[]) {
    if (!this.running) return
    // Streamers handed to a peer since the cycle was planned are the peer's to poll now.
    const ids = planned.filter((id) => this.monitor.hasUserId(id))
    if (!ids.length) return
    // At most one poll outstanding per streamer, so a budget too small for the interval
    // skips polls instead of queueing them without end.
    if (ids.some((id) => this.outstanding.has(id))) {
      this.skippedBatches++
      return
    }
    for (const id of ids) this.outstanding.add(id)
    try {
      const live = await this.kick.livestreams(ids)
      const at = Date.now()
      const liveIds = new Set<number>()
      for (const l of live) {
        liveIds.add(l.userId)
        this.monitor.applyByUserId(l.userId, readingFromLivestream(l, at))
        this.renames.notice(l.userId, l.slug)
      }
      for (const id of ids) if (!liveIds.has(id)) this.monitor.applyByUserId(id, { kind: 'offline', source: 'api', at })
      this.onBatch(ids, true)
    } catch (err) {
      this.onBatch(ids, false)
      // No reading: these streamers turn stale on their own if this keeps failing.
      this.log.warn({ err: (err as Error).message, batch: ids.length }, 'live-state poll failed')
    } finally {
      for (const id of ids) this.outstanding.delete(id)
    }
  }

  /** Slugs without a Kick user id yet, 25 per call; a slug Kick does not know is retried slowly. */
  private async resolve() {
    const pending = this.monitor.unresolved().filter((slug) => {
      const wait = this.missed.get(slug) ?? 0
      if (wait > 0) this.missed.set(slug, wait - 1)
      return wait <= 0
    })
    for (let i = 0; i < pending.length && this.running; i += LIMITS.channels) {
      const batch = pending.slice(i, i + LIMITS.channels)
      try {
        const found = await this.kick.channelsBySlug(batch)
        const at = Date.now()
        for (const c of found) {
          if (!batch.includes(c.slug)) continue
          try {
            await this.registry.setResolved(c.slug, c)
          } catch (err) {
            // kick_user_id is unique: this broadcaster is monitored under another slug (a rename).
            this.log.warn({ slug: c.slug, kick_user_id: c.userId, err: (err as Error).message }, `could not resolve "${c.slug}"`)
            this.missed.set(c.slug, 6)
            continue
          }
          this.monitor.setUserId(c.slug, c.userId)
          this.monitor.apply(c.slug, readingFromChannel(c, at))
          this.missed.delete(c.slug)
        }
        for (const slug of batch) if (!found.some((c) => c.slug === slug)) this.missed.set(slug, 6) // gone, or renamed away
      } catch (err) {
        this.log.warn({ err: (err as Error).message, batch: batch.length }, 'resolving slugs failed')
      }
    }
  }
}
