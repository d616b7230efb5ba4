import type { Logger } from '@kickmon/shared/logger'
import type { ChannelRenames } from './channel-renames.ts'
import { readingFromChannel } from './channel-readings.ts'
import { LIMITS, type KickClient } from '../kick/client.ts'
import type { Monitor } from '../detection/monitor.ts'
import type { StreamerRegistry } from './streamer-registry.ts'

/**
 * A cached user id whose channel Kick no longer returns on /channels?broadcaster_user_id=
 * (a rename keeps the id, so this means the channel was deleted or banned): look the monitored
 * slug up again. Kick still giving the same id means the miss was a glitch; another id means
 * the slug now belongs to someone else, who is followed from now on (as if the slug were added
 * today); no channel at all forgets the id, and the poll loop keeps resolving the slug slowly.
 * History stays with the streamer row either way.
 */
export class LostChannels {
  constructor(
    private readonly kick: KickClient,
    private readonly monitor: Monitor,
    private readonly registry: StreamerRegistry,
    private readonly renames: ChannelRenames,
    private readonly log: Logger,
  ) {}

  async recheck(userIds: number[]) {
    const lost = userIds.flatMap((userId) => {
      const slug = this.monitor.slugOf(userId)
      return slug ? [{ userId, slug }] : []
    })
    for (let i = 0; i < lost.length; i += LIMITS.channels) {
      const batch = lost.slice(i, i + LIMITS.channels)
      const found = await this.kick.channelsBySlug(batch.map((l) => l.slug))
      const at = Date.now()
      for (const { userId, slug } of batch) {
        const now = found.find((c) => c.slug === slug)
        if (now?.userId === userId) continue
        this.renames.forget(userId)
        if (now) {
          try {
            await this.registry.setResolved(slug, now)
          } catch (err) {
            // kick_user_id is unique: the new owner is already monitored under another slug.
            this.log.warn({ slug, kick_user_id: now.userId, err: (err as Error).message }, `"${slug}" now belongs to a broadcaster already monitored; leaving it as it is`)
            continue
          }
          this.monitor.setUserId(slug, now.userId)
          this.monitor.apply(slug, readingFromChannel(now, at))
          this.log.warn({ slug, from_user_id: userId, to_user_id: now.userId }, `Kick no longer has user ${userId}; "${slug}" now belongs to user ${now.userId}, following them`)
        } else {
          await this.registry.clearResolved(slug, userId)
          this.monitor.setUserId(slug, null)
          this.log.warn({ slug, kick_user_id: userId }, `Kick no longer has "${slug}" (user ${userId}); resolving the slug again until it exists`)
        }
      }
    }
  }
}
