import type { Counters } from './counters.ts'
import type { Faults } from './faults.ts'
import { intParams, kick, rawJson } from './http.ts'
import type { Router } from './router.ts'
import { rfc3339 } from './time.ts'
import { channelItem, channelJson, envelope, streamThumb } from './views.ts'
import type { Channel, World } from './world.ts'

// GET /public/v1/channels (docs/kick-api.md#channels): ≤50 slugs (each ≤25 chars) or ≤50
// broadcaster_user_ids, never both; unknown slugs silently missing; offline channels present.
const MAX = 50
const MAX_SLUG = 25
/** Above this batch size Kick returns stale/wrong items (#321), when the fault is on. */
const STALE_ABOVE = 25

export function channelRoutes(router: Router, world: World, faults: Faults, counters: Counters): void {
  router.add('GET', '/public/v1/channels', 'api', ({ url, auth, base }) => {
    const q = url.searchParams
    const slugs = q.getAll('slug')
    const rawIds = q.getAll('broadcaster_user_id')
    if (slugs.length > 0 && rawIds.length > 0) {
      return kick.badRequest('cannot mix broadcaster_user_id and slug parameters')
    }
    let found: Channel[]
    if (slugs.length === 0 && rawIds.length === 0) {
      if (auth?.type !== 'user' || auth.userId === null) return kick.badRequest('broadcaster_user_id is required for app tokens')
      const own = world.byUserId(auth.userId)
      found = own ? [own] : []
    } else if (slugs.length > 0) {
      if (slugs.length > MAX) return kick.badRequest(`a maximum of ${MAX} slugs is allowed`)
      if (slugs.some((s) => s.length === 0 || s.length > MAX_SLUG)) return kick.badRequest(`slug must be between 1 and ${MAX_SLUG} characters`)
      found = unique(slugs.map((s) => world.bySlug(s)))
    } else {
      if (rawIds.length > MAX) return kick.badRequest(`a maximum of ${MAX} broadcaster_user_id values is allowed`)
      const ids = intParams(rawIds)
      if (!ids) return kick.badRequest('broadcaster_user_id must be an integer')
      found = unique(ids.map((id) => world.byUserId(id)))
    }
    const batch = slugs.length + rawIds.length
    const staleRate = batch > STALE_ABOVE ? faults.staleRate() : 0
    const items = found.map((ch) => {
      if (staleRate > 0 && faults.hit(staleRate)) {
        const stale = staleItem(base, ch, faults.random())
        if (stale) {
          counters.faults.stale_items++
          return stale
        }
      }
      return channelJson(base, ch)
    })
    return rawJson(envelope(items))
  })
}

function unique(list: (Channel | undefined)[]): Channel[] {
  const seen = new Set<Channel>()
  const out: Channel[] = []
  for (const c of list) {
    if (!c || seen.has(c)) continue
    seen.add(c)
    out.push(c)
  }
  return out
}

/** A plausible but wrong item: live shown offline or with a stale count, offline shown still live. */
function staleItem(base: string, ch: Channel, r: number): string | null {
  const item = channelItem(base, ch) as { stream: Record<string, unknown>; stream_title: string }
  if (ch.live) {
    if (r < 0.5) Object.assign(item.stream, { is_live: false, viewer_count: 0, start_time: '0001-01-01T00:00:00Z', thumbnail: '' })
    else item.stream.viewer_count = ch.viewers === 1 ? 2 : 1 // the #391 "viewer_count: 1"
  } else {
    const last = ch.past[0]
    if (!last) return null
    Object.assign(item.stream, { is_live: true, viewer_count: 1 + Math.round(ch.popularity * 0.3), start_time: rfc3339(last.startedAt), thumbnail: streamThumb(base, ch, 720, last.uid) })
    item.stream_title = last.title
  }
  return JSON.stringify(item)
}
