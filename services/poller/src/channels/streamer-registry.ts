import { AppError } from '@kickmon/shared/errors'
import type { Sql } from '@kickmon/shared/db'
import type { KickClient } from '../kick/client.ts'
import type { ChannelInfo } from '../kick/parse.ts'

export type StreamerRow = {
  id: number; slug: string; kick_user_id: number | null; username: string; live: boolean; viewers: number
  title: string | null; category_id: number | null; category_name: string | null; started_at: Date | null
  profile_picture_url: string | null; banner_url: string | null; bio: string | null; source: string | null
  checked_at: Date | null; changed_at: Date | null; created_at: Date; followers_count: number | null
  /** The channel's slug on Kick when it was renamed since it was added (channel-renames.ts). */
  kick_slug: string | null
  /** Set while the streamer is archived (removed: not monitored, history kept). */
  archived_at: Date | null
  followers_at: Date | null
  active_subscribers_count: number | null; active_gifted_subscribers_count: number | null; subscribers_at: Date | null
}

/**
 * What the poller keeps of each monitored streamer between registry reads (every interval):
 * the columns placement, renames and a first status need, not the profile (bio, banner,
 * follower and subscriber counts), which only the profile endpoint reads, one row at a time.
 */
export type MonitoredRow = Pick<
  StreamerRow,
  'slug' | 'kick_user_id' | 'kick_slug' | 'username' | 'live' | 'viewers' | 'title' | 'category_id' | 'category_name' | 'started_at' | 'profile_picture_url' | 'source' | 'checked_at' | 'changed_at'
>

/** The monitored streamer list, kept in PostgreSQL (the poller owns this table). */
export class StreamerRegistry {
  constructor(
    private readonly sql: Sql,
    private readonly kick: KickClient | null,
  ) {}

  /** The monitored streamers (archived ones are not). */
  all(): Promise<MonitoredRow[]> {
    return this.sql<MonitoredRow[]>`
      select slug, kick_user_id, kick_slug, username, live, viewers, title, category_id, category_name, started_at,
             profile_picture_url, source, checked_at, changed_at
      from streamers where archived_at is null order by slug`
  }

  /** A monitored streamer; null when unknown or archived. */
  async get(slug: string): Promise<StreamerRow | null> {
    const [row] = await this.sql<StreamerRow[]>`select * from streamers where slug = ${slug} and archived_at is null`
    return row ?? null
  }

  /** A monitored or archived streamer's row (its history is browsable either way). */
  async getAny(slug: string): Promise<StreamerRow | null> {
    const [row] = await this.sql<StreamerRow[]>`select * from streamers where slug = ${slug}`
    return row ?? null
  }

  /**
   * Add a streamer after checking Kick knows the channel. Adding one that is already
   * monitored is not an error: it answers the existing row with `created: false`. Adding an
   * archived one resumes it: the same row (same id), its history and assignments with it.
   */
  async add(slug: string): Promise<{ row: StreamerRow; created: boolean; resumed: boolean }> {
    const existing = await this.getAny(slug)
    if (existing && !existing.archived_at) return { row: existing, created: false, resumed: false }
    let channel: ChannelInfo | null = null
    if (this.kick) {
      try {
        channel = (await this.kick.channelsBySlug([slug])).find((c) => c.slug === slug) ?? null
        // An archived streamer renamed on Kick since: the same broadcaster, found by its user id.
        if (!channel && existing?.kick_user_id != null) channel = (await this.kick.channelsByUserId([Number(existing.kick_user_id)]))[0] ?? null
      } catch (e) {
        throw new AppError('UNAVAILABLE', `could not check "${slug}" with Kick right now: ${(e as Error).message}`)
      }
      if (!channel) throw new AppError('NOT_FOUND', `Kick has no channel named "${slug}"`)
      // After a rename on Kick the new slug leads to a broadcaster already monitored under the old one.
      const [same] = await this.sql<{ slug: string; archived_at: Date | null }[]>`
        select slug, archived_at from streamers where kick_user_id = ${channel.userId} and slug <> ${slug}`
      if (same?.archived_at) throw new AppError('CONFLICT', `Kick channel "${slug}" is the archived streamer "${same.slug}" (renamed on Kick): add "${same.slug}" to resume it with its history`)
      if (same) throw new AppError('CONFLICT', `Kick channel "${slug}" is already monitored as "${same.slug}" (renamed on Kick)`)
    }
    const subs = channel?.subscribers ?? null
    if (existing) {
      // Resume: the archived row comes back as it was; Kick's current id and profile replace the old ones.
      const [row] = await this.sql<StreamerRow[]>`
        update streamers set archived_at = null, updated_at = now(),
          kick_user_id = coalesce(${channel?.userId ?? null}, kick_user_id), kick_slug = nullif(${channel?.slug ?? null}, slug),
          banner_url = coalesce(${channel?.bannerUrl ?? null}, banner_url), bio = coalesce(${channel?.bio ?? null}, bio),
          ${subs ? this.sql`active_subscribers_count = ${subs.active}, active_gifted_subscribers_count = ${subs.gifted}, subscribers_at = now(),` : this.sql``}
          resolved_at = coalesce(${channel ? new Date() : null}, resolved_at), metadata_at = coalesce(${channel ? new Date() : null}, metadata_at)
        where slug = ${slug} and archived_at is not null returning *`
      if (!row) return { row: (await this.get(slug))!, created: false, resumed: false } // resumed by someone else just now
      return { row, created: false, resumed: true }
    }
    const [row] = await this.sql<StreamerRow[]>`
      insert into streamers (slug, kick_user_id, username, title, category_id, category_name, banner_url, bio, resolved_at, metadata_at,
                             active_subscribers_count, active_gifted_subscribers_count, subscribers_at)
      values (${slug}, ${channel?.userId ?? null}, ${slug}, ${channel?.title ?? null}, ${channel?.category?.id ?? null},
              ${channel?.category?.name ?? null}, ${channel?.bannerUrl ?? null}, ${channel?.bio ?? null},
              ${channel ? new Date() : null}, ${channel ? new Date() : null},
              ${subs?.active ?? null}, ${subs?.gifted ?? null}, ${subs ? new Date() : null})
      on conflict (slug) do nothing returning *`
    if (!row) {
      const now = await this.get(slug)
      if (!now) throw new AppError('CONFLICT', `"${slug}" was archived while it was being added; add it again`)
      return { row: now, created: false, resumed: false }
    }
    return { row, created: true, resumed: false }
  }

  /**
   * Stop monitoring: the streamer is archived and every row of its history stays (events,
   * sessions, samples, profile). Answers when, or null when it was not monitored.
   */
  async remove(slug: string): Promise<Date | null> {
    const [row] = await this.sql<{ archived_at: Date }[]>`
      update streamers set archived_at = now(), updated_at = now() where slug = ${slug} and archived_at is null returning archived_at`
    return row?.archived_at ?? null
  }

  async setResolved(slug: string, c: ChannelInfo) {
    const subs = c.subscribers
    await this.sql`update streamers set kick_user_id = ${c.userId}, kick_slug = nullif(${c.slug}, slug), banner_url = ${c.bannerUrl}, bio = ${c.bio},
      ${subs ? this.sql`active_subscribers_count = ${subs.active}, active_gifted_subscribers_count = ${subs.gifted}, subscribers_at = now(),` : this.sql``}
      resolved_at = now(), metadata_at = now() where slug = ${slug}`
  }

  /** The follower count read from Kick's website (the only source that has one), with when. */
  async setFollowers(slug: string, followers: number, at: Date) {
    await this.sql`update streamers set followers_count = ${followers}, followers_at = ${at}
      where slug = ${slug} and (followers_at is null or followers_at < ${at})`
  }

  /**
   * Store the slug Kick now reports for this broadcaster; answers the row's monitored slug and
   * the previous Kick slug when something changed, null when it was already known.
   */
  async recordKickSlug(userId: number, kickSlug: string): Promise<{ slug: string; previous: string } | null> {
    const [row] = await this.sql<{ slug: string; previous: string }[]>`
      update streamers s set kick_slug = nullif(${kickSlug}, s.slug), updated_at = now()
      from (select id, coalesce(kick_slug, slug) as previous from streamers where kick_user_id = ${userId}) old
      where s.id = old.id and s.kick_slug is distinct from nullif(${kickSlug}, s.slug)
      returning s.slug, old.previous`
    return row ?? null
  }

  /** Forget a user id Kick no longer has, so the slug is resolved again like a new one. */
  async clearResolved(slug: string, userId: number) {
    await this.sql`update streamers set kick_user_id = null, kick_slug = null, resolved_at = null, updated_at = now()
      where slug = ${slug} and kick_user_id = ${userId}`
  }

  async setMetadata(userId: number, m: { bannerUrl?: string | null; bio?: string | null; username?: string | null; profilePicture?: string | null; subscribers?: ChannelInfo['subscribers'] }) {
    const subs = m.subscribers
    await this.sql`update streamers set
      ${subs ? this.sql`active_subscribers_count = ${subs.active}, active_gifted_subscribers_count = ${subs.gifted}, subscribers_at = now(),` : this.sql``}
      banner_url = coalesce(${m.bannerUrl ?? null}, banner_url), bio = coalesce(${m.bio ?? null}, bio),
      username = coalesce(${m.username ?? null}, username), profile_picture_url = coalesce(${m.profilePicture ?? null}, profile_picture_url),
      metadata_at = now() where kick_user_id = ${userId}`
  }
}
