import type { Category } from './names.ts'
import { rfc3339, ZERO_TIME } from './time.ts'
import { shownViewers, type Channel } from './world.ts'

// The public API's item shapes (kick-api.md §2). The same stream is described with
// different field names per endpoint, on purpose: `stream.start_time` on /channels vs
// `started_at` on livestreams, `stream_title` vs `title`, `language` vs `language_code`.
// Images point at this simulator (never the internet); `base` is its public origin.

export function avatarUrl(base: string, ch: Channel): string {
  return `${base}/images/user/${ch.userId}/profile_image/conversion/${ch.avatarId}-fullsize.webp`
}
export function bannerUrl(base: string, ch: Channel): string {
  return `${base}/images/channel/${ch.channelId}/banner_image/${ch.bannerId}`
}
export function categoryThumb(base: string, c: Category): string {
  const h = (c.id * 2654435761 >>> 0).toString(16).padStart(8, '0')
  return `${base}/images/subcategories/${c.id}/banner/${h}-${h.slice(0, 4)}-4${h.slice(1, 4)}-a${h.slice(4, 7)}-${h}${h.slice(0, 4)}`
}
export function streamThumb(base: string, ch: Channel, size: 480 | 720 = 720, uid = ch.stream?.uid): string {
  return uid ? `${base}/video_thumbnails/${ch.playbackKey}/${uid}/${size}.webp` : ''
}

export function publicCategory(base: string, c: Category | null): { id: number; name: string; thumbnail: string } {
  // Unset category is {id:0, name:""} (gokick docs).
  return c ? { id: c.id, name: c.name, thumbnail: categoryThumb(base, c) } : { id: 0, name: '', thumbnail: '' }
}

/** GET /public/v1/channels item. */
export function channelItem(base: string, ch: Channel): object {
  const s = ch.live ? ch.stream : null
  return {
    active_gifted_subscribers_count: ch.giftedSubs,
    active_subscribers_count: ch.activeSubs,
    banner_picture: bannerUrl(base, ch),
    broadcaster_user_id: ch.userId,
    canceled_subscribers_count: ch.canceledSubs,
    category: publicCategory(base, ch.category),
    channel_description: ch.bio,
    slug: ch.slug,
    stream: {
      custom_tags: ch.tags,
      is_live: ch.live,
      is_mature: ch.mature,
      key: '',
      language: ch.language,
      start_time: s ? rfc3339(s.startedAt) : ZERO_TIME,
      thumbnail: s ? streamThumb(base, ch) : '',
      url: '',
      viewer_count: s ? shownViewers(ch) : 0,
    },
    stream_title: ch.title,
  }
}

/** GET /public/v1/users/livestreams and /public/v2/livestreams item (LivestreamV2, live channels only). */
export function livestreamItem(base: string, ch: Channel): object {
  const s = ch.stream
  return {
    id: s?.uuid ?? '',
    broadcaster_user: { id: ch.userId, username: ch.username, profile_picture: avatarUrl(base, ch) },
    category: publicCategory(base, ch.category),
    channel: { slug: ch.slug },
    has_mature_content: ch.mature,
    language_code: ch.language,
    started_at: s ? rfc3339(s.startedAt) : ZERO_TIME,
    tags: ch.tags,
    thumbnail: streamThumb(base, ch),
    title: ch.title,
    viewer_count: shownViewers(ch),
  }
}

/** GET /public/v1/livestreams item: deprecated by Kick (2026-06-23), kept for clients that still call it. */
export function livestreamV1Item(base: string, ch: Channel): object {
  return {
    broadcaster_user_id: ch.userId,
    category: publicCategory(base, ch.category),
    channel_id: ch.channelId,
    custom_tags: ch.tags,
    has_mature_content: ch.mature,
    language: ch.language,
    profile_picture: avatarUrl(base, ch),
    slug: ch.slug,
    started_at: ch.stream ? rfc3339(ch.stream.startedAt) : ZERO_TIME,
    stream_title: ch.title,
    thumbnail: streamThumb(base, ch, 480),
    viewer_count: shownViewers(ch),
  }
}

/** GET /public/v1/users item; email only for the token's own user. */
export function userItem(base: string, ch: Channel, own: boolean): object {
  return { email: own ? `${ch.slug}@users.kick-sim.invalid` : '', name: ch.username, profile_picture: avatarUrl(base, ch), user_id: ch.userId }
}

// Hot paths serve batches of up to 100 items; each item's JSON is cached until the channel
// changes (rev) or the origin differs.
type Cached = { rev: number; base: string; json: string }
const caches = { channel: new WeakMap<Channel, Cached>(), live: new WeakMap<Channel, Cached>(), liveV1: new WeakMap<Channel, Cached>() }

function cached(kind: keyof typeof caches, build: (base: string, ch: Channel) => object) {
  const map = caches[kind]
  return (base: string, ch: Channel): string => {
    const c = map.get(ch)
    if (c && c.rev === ch.rev && c.base === base) return c.json
    const json = JSON.stringify(build(base, ch))
    map.set(ch, { rev: ch.rev, base, json })
    return json
  }
}

export const channelJson = cached('channel', channelItem)
export const livestreamJson = cached('live', livestreamItem)
export const livestreamV1Json = cached('liveV1', livestreamV1Item)

/** `{"data":[...],"message":"OK"}` from item JSON strings. */
export function envelope(items: string[], extra = ''): string {
  return `{"data":[${items.join(',')}],"message":"OK"${extra}}`
}
