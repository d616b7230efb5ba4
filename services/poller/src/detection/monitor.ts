import { StreamerStatus, unknownStatus } from '@kickmon/shared/contracts/status'
import type { Logger } from '@kickmon/shared/logger'
import type { Reading } from './readings.ts'
import { applyReading, initialState, tick, tickDue, type MachineConfig, type StreamerState } from './state-machine.ts'
import type { StatusCommitter } from '../recording/status-committer.ts'
import type { SnapshotWriter } from '../recording/snapshot-writer.ts'
import type { MonitoredRow } from '../channels/streamer-registry.ts'

export function statusFromRow(r: MonitoredRow): StreamerStatus {
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  return {
    ...unknownStatus(r.slug),
    kick_user_id: r.kick_user_id === null ? null : Number(r.kick_user_id),
    username: r.username, live: r.live, viewers: r.viewers, title: r.title,
    category: r.category_id !== null || r.category_name ? { id: r.category_id ?? 0, name: r.category_name ?? '' } : null,
    started_at: iso(r.started_at), profile_picture_url: r.profile_picture_url,
    source: (r.source as StreamerStatus['source']) ?? null, checked_at: iso(r.checked_at), changed_at: iso(r.changed_at), stale: true,
  }
}

export type MonitorHooks = {
  /** A streamer left the monitored set (not one handed to a peer). */
  onRemoved?: (slug: string) => void
  /** Every reading about a monitored streamer (readings per source in the health report). */
  onReading?: (reading: Reading) => void
}

/**
 * Every monitored streamer's live state. Readings from any source go through `apply`,
 * which runs the state machine and hands the result to the committer and the snapshot writer.
 */
export class Monitor {
  private states = new Map<string, StreamerState>()
  private slugByUser = new Map<number, string>()
  /** slug → a user id just replaced here; a registry read older than the write must not bring it back. */
  private replaced = new Map<string, number>()
  private readonly onRemoved: (slug: string) => void
  private readonly onReading: (reading: Reading) => void
  /** Extra time before a streamer turns stale: one polled less often is read less often (poll-loop.ts). Assigned by the loop, which is built after the monitor. */
  staleSlackMs: (userId: number) => number = () => 0

  constructor(
    private readonly cfg: MachineConfig,
    private readonly committer: StatusCommitter,
    private readonly snapshots: SnapshotWriter,
    private readonly log: Logger,
    hooks: MonitorHooks = {},
  ) {
    this.onRemoved = hooks.onRemoved ?? (() => {})
    this.onReading = hooks.onReading ?? (() => {})
  }

  /**
   * Match the in-memory set to the registry; `committed` is the KV's last committed status.
   * With several pollers `rows` is this instance's share and `monitored` every monitored slug:
   * one dropped from the share but still monitored was handed to a peer, not removed.
   */
  sync(rows: MonitoredRow[], committed: Map<string, StreamerStatus> = new Map(), monitored?: Set<string>) {
    const seen = new Set<string>()
    for (const row of rows) {
      seen.add(row.slug)
      const rowUserId = row.kick_user_id === null ? null : Number(row.kick_user_id)
      const outdated = rowUserId !== null && this.replaced.get(row.slug) === rowUserId
      if (!outdated) this.replaced.delete(row.slug) // the registry has caught up
      const userId = outdated ? null : rowUserId
      const current = this.states.get(row.slug)
      if (!current) {
        const base = committed.get(row.slug) ?? statusFromRow(row)
        const state = initialState({ ...base, kick_user_id: userId ?? base.kick_user_id })
        this.states.set(row.slug, state)
        this.committer.publishStatus(state.status)
      } else if (userId !== null && current.status.kick_user_id !== userId) {
        this.setUserId(row.slug, userId) // re-resolved (by another poller, or before a restart)
      }
      if (userId !== null) this.slugByUser.set(userId, row.slug)
    }
    for (const slug of [...this.states.keys()]) {
      if (seen.has(slug)) continue
      const uid = this.states.get(slug)!.status.kick_user_id
      if (uid !== null) this.slugByUser.delete(uid)
      this.states.delete(slug)
      this.replaced.delete(slug)
      if (!monitored?.has(slug)) this.onRemoved(slug)
    }
  }

  /** False when `slug` is not monitored. */
  apply(slug: string, reading: Reading): boolean {
    const prev = this.states.get(slug)
    if (!prev) return false
    this.onReading(reading)
    const step = applyReading(prev, reading, this.cfg)
    this.states.set(slug, step.state)
    this.commit(step.state, step.events, step.changed)
    // Only a shown count of the stream shown is history: never a hidden count, never a lagging reading.
    const st = step.state.status
    if (step.sample !== null && st.live && st.started_at) {
      if (step.sample === 'hidden') this.snapshots.hidden(slug, reading.at, st.started_at)
      else this.snapshots.sample(slug, reading.at, step.sample, reading.source, st.started_at)
    }
    return true
  }

  /** False when no monitored streamer has this Kick user id. */
  applyByUserId(userId: number, reading: Reading): boolean {
    const slug = this.slugByUser.get(userId)
    return slug ? this.apply(slug, reading) : false
  }

  tickAll(now = Date.now()) {
    // One config per slack value for the whole pass (the slack is the same for every streamer polled less often).
    const withSlack = new Map<number, MachineConfig>([[0, this.cfg]])
    const cfgFor = (slack: number) => withSlack.get(slack) ?? withSlack.set(slack, { ...this.cfg, staleMs: this.cfg.staleMs + slack }).get(slack)!
    for (const [slug, prev] of this.states) {
      const uid = prev.status.kick_user_id
      const cfg = cfgFor(uid === null ? 0 : this.staleSlackMs(uid))
      if (!tickDue(prev, now, cfg)) continue
      const step = tick(prev, now, cfg)
      if (!step.changed && !step.events.length) continue
      this.states.set(slug, step.state)
      this.commit(step.state, step.events, step.changed)
    }
  }

  private commit(state: StreamerState, events: Parameters<StatusCommitter['submit']>[1], changed: boolean) {
    this.committer.submit(state.status, events, changed)
    if (changed || events.length) this.snapshots.status(state.status)
    for (const e of events) this.log.info({ slug: e.slug, type: e.type, source: e.status.source }, `${e.slug} ${e.type}`)
  }

  /** `null` forgets the id: the slug is resolved again like a new one (channels/lost-channels.ts). */
  setUserId(slug: string, userId: number | null) {
    const s = this.states.get(slug)
    if (!s) return
    const before = s.status.kick_user_id
    if (before !== null && before !== userId) {
      if (this.slugByUser.get(before) === slug) this.slugByUser.delete(before)
      this.replaced.set(slug, before)
    }
    if (userId !== null && this.replaced.get(slug) === userId) this.replaced.delete(slug)
    s.status = { ...s.status, kick_user_id: userId }
    if (userId !== null) this.slugByUser.set(userId, slug)
  }

  slugOf(userId: number): string | null {
    return this.slugByUser.get(userId) ?? null
  }

  get(slug: string): StreamerStatus | null {
    return this.states.get(slug)?.status ?? null
  }

  statuses(): StreamerStatus[] {
    return [...this.states.values()].map((s) => s.status)
  }

  hasUserId(userId: number): boolean {
    return this.slugByUser.has(userId)
  }

  resolvedUserIds(): number[] {
    return [...this.slugByUser.keys()]
  }

  unresolved(): string[] {
    return [...this.states.values()].filter((s) => s.status.kick_user_id === null).map((s) => s.status.slug)
  }

  get size() {
    return this.states.size
  }
}
