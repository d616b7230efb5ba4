import type { StreamerProfile } from '@kickmon/shared/contracts/poller'
import type { StreamerRow } from '../channels/streamer-registry.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The stored half of a streamer's profile: what Kick said about the channel, and when. */
export function profileOf(row: StreamerRow): Omit<StreamerProfile, 'status'> {
  return {
    banner_url: row.banner_url, bio: row.bio, monitored_since: row.created_at.toISOString(), kick_slug: row.kick_slug,
    followers_count: row.followers_count, followers_at: iso(row.followers_at),
    active_subscribers_count: row.active_subscribers_count, active_gifted_subscribers_count: row.active_gifted_subscribers_count,
    subscribers_at: iso(row.subscribers_at),
    archived_at: iso(row.archived_at),
  }
}
