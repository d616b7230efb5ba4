import { z } from 'zod'

// Tolerant readers for Kick's payloads: every field optional or nullable, unknown fields
// ignored, and both spellings of drifting names accepted (docs/kick-api.md#payload-drift).
const num = z.coerce.number().int().catch(0)
const str = z.string().nullish().catch(null)
const time = z.string().nullish().catch(null)
const CategoryIn = z.object({ id: num, name: z.string().catch('') }).nullish().catch(null)

export type Category = { id: number; name: string }

export type ChannelInfo = {
  userId: number
  slug: string
  title: string | null
  category: Category | null
  bannerUrl: string | null
  bio: string | null
  live: boolean
  viewers: number
  startedAt: string | null
  /** Kick's active subscriptions (gifted included) and the gifted share; null when Kick did not send them. */
  subscribers: { active: number; gifted: number | null } | null
}

export type LiveStream = {
  userId: number
  /** Kick's per-stream UUID (v2 items); null where a source gives none. */
  streamId: string | null
  slug: string | null
  username: string | null
  profilePicture: string | null
  title: string | null
  category: Category | null
  viewers: number
  startedAt: string | null
}

const count = z.number().int().nonnegative().nullish().catch(null)

const ChannelItem = z.object({
  broadcaster_user_id: z.coerce.number().int(),
  active_subscribers_count: count,
  active_gifted_subscribers_count: count,
  slug: z.string(),
  stream_title: str,
  channel_description: str,
  banner_picture: str,
  category: CategoryIn,
  stream: z
    .object({ is_live: z.boolean().catch(false), viewer_count: num, start_time: time, started_at: time })
    .partial()
    .nullish()
    .catch(null),
})

const LiveItem = z.object({
  // A UUID string today; older answers had numbers. Either way an opaque per-stream key.
  id: z.union([z.string().min(1).max(100), z.number().int().positive().transform(String)]).nullish().catch(null),
  broadcaster_user_id: z.coerce.number().int().optional(),
  broadcaster_user: z.object({ id: z.coerce.number().int(), username: str, profile_picture: str }).partial().nullish().catch(null),
  channel: z.object({ slug: str }).nullish().catch(null),
  slug: str,
  title: str,
  stream_title: str,
  category: CategoryIn,
  viewer_count: num.optional(),
  started_at: time,
  start_time: time,
  profile_picture: str,
})

/** Kick's "unset" category is `{id:0,name:""}`. */
function category(c: { id: number; name: string } | null | undefined): Category | null {
  return c && (c.id || c.name) ? { id: c.id, name: c.name } : null
}

/**
 * Kick sends RFC3339; the website sends "YYYY-MM-DD HH:MM:SS" in UTC. Normalise to ISO.
 * Go's zero time (`0001-01-01T00:00:00Z`, an offline channel's start) means "unset".
 */
export function normaliseTime(s: string | null | undefined): string | null {
  if (!s) return null
  const t = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(s) ? Date.parse(s.replace(' ', 'T') + 'Z') : Date.parse(s)
  return Number.isNaN(t) || t <= 0 ? null : new Date(t).toISOString()
}

/** The answer's `data` items that fit `schema`; one malformed item does not cost the others. */
export function validItems<T>(body: unknown, schema: z.ZodType<T>): T[] {
  const data = (body as { data?: unknown })?.data
  if (!Array.isArray(data)) return []
  return data.flatMap((raw) => {
    const r = schema.safeParse(raw)
    return r.success ? [r.data] : []
  })
}

export function parseChannels(body: unknown): ChannelInfo[] {
  return validItems(body, ChannelItem).map((c) => ({
    userId: c.broadcaster_user_id,
    slug: c.slug.toLowerCase(),
    title: c.stream_title || null,
    category: category(c.category),
    bannerUrl: c.banner_picture || null,
    bio: c.channel_description || null,
    live: c.stream?.is_live === true,
    viewers: c.stream?.viewer_count ?? 0,
    startedAt: normaliseTime(c.stream?.start_time ?? c.stream?.started_at),
    subscribers: c.active_subscribers_count == null ? null : { active: c.active_subscribers_count, gifted: c.active_gifted_subscribers_count ?? null },
  }))
}

export function parseLivestreams(body: unknown): LiveStream[] {
  return validItems(body, LiveItem).flatMap((l) => {
    const userId = l.broadcaster_user?.id ?? l.broadcaster_user_id
    if (userId === undefined) return []
    return [{
      userId,
      streamId: l.id ?? null,
      slug: (l.channel?.slug ?? l.slug)?.toLowerCase() ?? null,
      username: l.broadcaster_user?.username ?? null,
      profilePicture: l.broadcaster_user?.profile_picture ?? l.profile_picture ?? null,
      title: l.title ?? l.stream_title ?? null,
      category: category(l.category),
      viewers: l.viewer_count ?? 0,
      startedAt: normaliseTime(l.started_at ?? l.start_time),
    }]
  })
}

export type KickUser = { userId: number; name: string | null; profilePicture: string | null }
const UserItem = z.object({ user_id: z.coerce.number().int(), name: str, profile_picture: str })

export function parseUsers(body: unknown): KickUser[] {
  return validItems(body, UserItem).map((u) => ({ userId: u.user_id, name: u.name ?? null, profilePicture: u.profile_picture ?? null }))
}
