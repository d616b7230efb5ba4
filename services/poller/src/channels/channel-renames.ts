import type { Logger } from '@kickmon/shared/logger'
import type { Monitor } from '../detection/monitor.ts'
import type { MonitoredRow, StreamerRegistry } from './streamer-registry.ts'

/**
 * Notices when Kick reports a different slug for a broadcaster we follow by user id (a rename).
 * The streamer stays monitored under the slug it was added with, because assignments, the
 * `kick-status` KV, `kick.status.<slug>` subjects and dashboard URLs are all keyed by it and
 * re-keying would break every one of them; the new slug is stored in `streamers.kick_slug`
 * and logged. Polling and history go on by user id, so nothing is lost (docs/poller.md).
 */
export class ChannelRenames {
  /** user id → the slug Kick last reported; saves a database write per poll. */
  private known = new Map<number, string>()
  renamesSeen = 0

  constructor(
    private readonly registry: StreamerRegistry,
    private readonly monitor: Monitor,
    private readonly log: Logger,
  ) {}

  /** What the registry says, so a rename recorded before a restart is not announced again. */
  seed(rows: MonitoredRow[]) {
    for (const r of rows) if (r.kick_user_id !== null) this.known.set(Number(r.kick_user_id), r.kick_slug ?? r.slug)
  }

  /** A slug Kick just reported for `userId` (livestreams, /channels). */
  notice(userId: number, kickSlug: string | null) {
    if (!kickSlug) return
    const known = this.known.get(userId) ?? this.monitor.slugOf(userId)
    if (known === null || known === kickSlug) return
    this.known.set(userId, kickSlug)
    void this.record(userId, kickSlug)
  }

  /** The user id is no longer this streamer's (re-resolved to someone else, or gone). */
  forget(userId: number) {
    this.known.delete(userId)
  }

  private async record(userId: number, kickSlug: string) {
    try {
      const changed = await this.registry.recordKickSlug(userId, kickSlug)
      if (!changed) return
      this.renamesSeen++
      this.log.warn(
        { slug: changed.slug, kick_user_id: userId, from: changed.previous, to: kickSlug },
        `Kick channel "${changed.previous}" is now "${kickSlug}"; still monitored as "${changed.slug}"`,
      )
    } catch (err) {
      this.known.delete(userId) // try again on the next reading
      this.log.warn({ err: (err as Error).message, kick_user_id: userId }, 'could not record a channel rename')
    }
  }
}
