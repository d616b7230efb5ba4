import { AppError } from '@kickmon/shared/errors'
import type { Sql } from '@kickmon/shared/db'
import type { KickClient } from './kick/client.ts'
import type { ChannelInfo } from './kick/parse.ts'

export type StreamerRow = {
  id: number; slug: string; kick_user_id: number | null; username: string; live: boolean; viewers: number
  title: string | null; category_id: number | null; category_name: string | null; started_at: Date | null
  profile_picture_url: string | null; banner_url: string | null; bio: string | null; source: string | null
  checked_at: Date | null; changed_at: Date | null; created_at: Date; followers_count: number | null
  /** The channel's slug on Kick when it was renamed since it was added (channel-renames.ts). */
  kick_slug: string | null
}

/** The monitored streamer list, kept in PostgreSQL (the poller owns this table). */
export class StreamerRegistry {
  constructor(
    private readonly sql: Sql,
    private readonly kick: KickClient | null,
  ) {}

  all(): Promise<StreamerRow[]> {
    return this.sql<StreamerRow[]>`select * from streamers order by slug`
  }

  async get(slug: string): Promise<StreamerRow | null> {
    const [row] = await this.sql<StreamerRow[]>`select * from streamers where slug = ${slug}`
    return row ?? null
  }

  /**
   * Add a streamer after checking Kick knows the channel. Adding one that is already
   * monitored is not an error: it answers the existing row with `created: false`.
   */
  async add(slug: string): Promise<{ row: StreamerRow; created: boolean }> {
    const existing = await this.get(slug)
    if (existing) return { row: existing, created: false }
    let channel: ChannelInfo | null = null
    if (this.kick) {
      try {
        channel = (await this.kick.channelsBySlug([slug])).find((c) => c.slug === slug) ?? null
      } catch (e) {
        throw new AppError('UNAVAILABLE', `could not check "${slug}" with Kick right now: ${(e as Error).message}`)
      }
      if (!channel) throw new AppError('NOT_FOUND', `Kick has no channel named "${slug}"`)
      // After a rename on Kick the new slug leads to a broadcaster already monitored under the old one.
      const [same] = await this.sql<{ slug: string }[]>`select slug from streamers where kick_user_id = ${channel.userId}`
      if (same) throw new AppError('CONFLICT', `Kick channel "${slug}" is already monitored as "${same.slug}" (renamed on Kick)`)
    }
    const [row] = await this.sql<StreamerRow[]>`
      insert into streamers (slug, kick_user_id, username, title, category_id, category_name, banner_url, bio, resolved_at, metadata_at)
      values (${slug}, ${channel?.userId ?? null}, ${slug}, ${channel?.title ?? null}, ${channel?.category?.id ?? null},
              ${channel?.category?.name ?? null}, ${channel?.bannerUrl ?? null}, ${channel?.bio ?? null},
              ${channel ? new Date() : null}, ${channel ? new Date() : null})
      on conflict (slug) do nothing returning *`
    if (!row) return { row: (await this.get(slug))!, created: false }
    return { row, created: true }
  }

  /** Removes the streamer with its whole history (samples have no foreign key: partitioned). */
  async remove(slug: string): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const rows = await tx<{ id: number }[]>`delete from streamers where slug = ${slug} returning id`
      if (rows[0]) await tx`delete from viewer_samples where streamer_id = ${rows[0].id}`
      return rows.length > 0
    })
  }

  async setResolved(slug: string, c: ChannelInfo) {
    await this.sql`update streamers set kick_user_id = ${c.userId}, kick_slug = nullif(${c.slug}, slug), banner_url = ${c.bannerUrl}, bio = ${c.bio},
      resolved_at = now(), metadata_at = now() where slug = ${slug}`
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

  async setMetadata(userId: number, m: { bannerUrl?: string | null; bio?: string | null; username?: string | null; profilePicture?: string | null }) {
    await this.sql`update streamers set
      banner_url = coalesce(${m.bannerUrl ?? null}, banner_url), bio = coalesce(${m.bio ?? null}, bio),
      username = coalesce(${m.username ?? null}, username), profile_picture_url = coalesce(${m.profilePicture ?? null}, profile_picture_url),
      metadata_at = now() where kick_user_id = ${userId}`
  }
}
