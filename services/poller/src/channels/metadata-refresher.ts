import type { Logger } from '@kickmon/shared/logger'
import { ChannelRenames } from './channel-renames.ts'
import { LIMITS, type KickClient } from '../kick/client.ts'
import { LostChannels } from './lost-channels.ts'
import type { Monitor } from '../detection/monitor.ts'
import { scheduleBatches } from '../detection/schedule-batches.ts'
import type { StreamerRegistry } from './streamer-registry.ts'

/**
 * Slow refresh of what rarely changes: names and profile pictures (/users), banner and bio
 * (/channels by id), in small batches spread over a long interval. /channels also tells
 * renames (a new slug for the same id) and lost channels (an id Kick no longer returns).
 */
export class MetadataRefresher {
  private timers = new Set<Timer>()
  private running = false
  private readonly lost: LostChannels

  constructor(
    private readonly kick: KickClient,
    private readonly monitor: Monitor,
    private readonly registry: StreamerRegistry,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly renames = new ChannelRenames(registry, monitor, log),
  ) {
    this.lost = new LostChannels(kick, monitor, registry, renames, log)
  }

  start(firstDelayMs = 2000) {
    this.running = true
    this.later(() => this.cycle(), firstDelayMs)
  }

  stop() {
    this.running = false
    for (const t of this.timers) clearTimeout(t)
  }

  private later(fn: () => void, ms: number) {
    const t = setTimeout(() => {
      this.timers.delete(t)
      if (this.running) fn()
    }, ms)
    this.timers.add(t)
  }

  private cycle() {
    this.later(() => this.cycle(), this.intervalMs)
    const plan = scheduleBatches(this.monitor.resolvedUserIds(), LIMITS.channels, this.intervalMs)
    for (const { offsetMs, batch } of plan) this.later(() => void this.refresh(batch), offsetMs)
  }

  async refresh(planned: number[]) {
    // Streamers handed to a peer since the cycle was planned are the peer's now.
    const ids = planned.filter((id) => this.monitor.hasUserId(id))
    if (!ids.length) return
    try {
      const [users, channels] = await Promise.all([this.kick.users(ids), this.kick.channelsByUserId(ids)])
      const at = Date.now()
      for (const u of users) {
        await this.registry.setMetadata(u.userId, { username: u.name, profilePicture: u.profilePicture })
        this.monitor.applyByUserId(u.userId, { kind: 'metadata', source: 'api', at, username: u.name, profilePicture: u.profilePicture })
      }
      for (const c of channels) {
        await this.registry.setMetadata(c.userId, { bannerUrl: c.bannerUrl, bio: c.bio, subscribers: c.subscribers })
        this.renames.notice(c.userId, c.slug)
      }
      const returned = new Set(channels.map((c) => c.userId))
      const missing = ids.filter((id) => !returned.has(id))
      if (missing.length) await this.lost.recheck(missing)
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'metadata refresh failed')
    }
  }
}
