import { z } from 'zod'
import { normaliseTime, type Category } from '../kick/parse.ts'

// kick.com's own channel JSON (`/api/v2/channels/<slug>`, docs/kick-api.md#channel-json). Unofficial and
// undocumented, so every field is optional and anything unexpected degrades to "unknown".

export type WebsiteChannel = {
  userId: number | null
  slug: string
  username: string | null
  profilePicture: string | null
  followers: number | null
  live: boolean
  viewers: number
  title: string | null
  category: Category | null
  startedAt: string | null
}

const str = z.string().nullish().catch(null)
const int = z.coerce.number().int().nonnegative().nullish().catch(null)

const CategoryItem = z.object({ id: int, name: str }).nullish().catch(null)

const Livestream = z
  .object({
    is_live: z.boolean().nullish().catch(null),
    session_title: str,
    viewer_count: int,
    viewers: int, // the v1 spelling
    start_time: str,
    created_at: str,
    categories: z.array(CategoryItem).nullish().catch(null),
    category: CategoryItem,
  })
  .nullish()
  .catch(null)

const Channel = z.object({
  slug: z.string().min(1),
  user_id: int,
  followers_count: int,
  followersCount: int, // the v1 spelling
  user: z.object({ id: int, username: str, profile_pic: str }).nullish().catch(null),
  livestream: Livestream,
})

/** Null when the JSON is not a channel at all (a different page, an error object). */
export function parseWebsiteChannel(body: unknown): WebsiteChannel | null {
  const r = Channel.safeParse(body)
  if (!r.success) return null
  const c = r.data
  const l = c.livestream
  const live = !!l && l.is_live !== false
  const cat = l?.categories?.find((x) => x && (x.id || x.name)) ?? l?.category ?? null
  return {
    userId: c.user_id ?? c.user?.id ?? null,
    slug: c.slug.toLowerCase(),
    username: c.user?.username || null,
    profilePicture: c.user?.profile_pic || null,
    followers: c.followers_count ?? c.followersCount ?? null,
    live,
    viewers: live ? (l?.viewer_count ?? l?.viewers ?? 0) : 0,
    title: (live && l?.session_title) || null,
    category: live && cat && (cat.id || cat.name) ? { id: cat.id ?? 0, name: cat.name ?? '' } : null,
    startedAt: live ? normaliseTime(l?.start_time ?? l?.created_at) : null,
  }
}

export type PageVerdict =
  | { kind: 'channel'; channel: WebsiteChannel }
  | { kind: 'not_found' }
  | { kind: 'blocked'; reason: 'waf' | 'challenge' | 'rate_limited' | 'http'; status: number | null }
  | { kind: 'pending' }
  | { kind: 'error'; message: string }

/**
 * What a loaded page says, from its last document status, title and visible text.
 * `pending` means a challenge page that may still resolve by itself.
 */
export function judgePage(p: { status: number | null; title: string; text: string }): PageVerdict {
  const text = p.text.trim()
  const json = extractJson(text)
  if (json !== undefined) {
    const error = (json as { error?: unknown } | null)?.error
    if (typeof error === 'string' && error.startsWith('Request blocked by security policy')) return { kind: 'blocked', reason: 'waf', status: p.status }
    const channel = parseWebsiteChannel(json)
    if (channel) return { kind: 'channel', channel }
    return { kind: 'error', message: `unexpected JSON (status ${p.status ?? '?'})` }
  }
  if (p.title.includes('Just a moment') || text.includes('Verifying you are human') || text.includes('Verification successful')) return { kind: 'pending' }
  if (p.status === 404) return { kind: 'not_found' }
  if (p.status === 429) return { kind: 'blocked', reason: 'rate_limited', status: 429 }
  if (p.status === 403) return { kind: 'blocked', reason: 'http', status: 403 }
  return { kind: 'error', message: `no channel JSON on the page (status ${p.status ?? '?'})` }
}

/** Chromium shows raw JSON as text (sometimes inside <pre>); take the outermost object. */
function extractJson(text: string): unknown {
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  if (start < 0 || end <= start || start > 200) return undefined
  try {
    return JSON.parse(text.slice(start, end + 1))
  } catch {
    return undefined
  }
}
