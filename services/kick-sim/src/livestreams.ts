import { intParams, kick, rawJson } from './http.ts'
import type { Router } from './router.ts'
import { envelope, livestreamJson, livestreamV1Json } from './views.ts'
import { shownViewers, type Channel, type World } from './world.ts'

// Livestream endpoints (kick-api.md §2.2–2.5). All return live streams only.

export function livestreamRoutes(router: Router, world: World): void {
  // The poll target: ≤100 user ids, absent id ⇒ offline, no pagination.
  router.add('GET', '/public/v1/users/livestreams', 'api', ({ url, base }) => {
    const raw = url.searchParams.getAll('user_id')
    if (raw.length === 0) return kick.badRequest('user_id is required')
    if (raw.length > 100) return kick.badRequest('a maximum of 100 user_id values is allowed')
    const ids = intParams(raw)
    if (!ids) return kick.badRequest('user_id must be an integer')
    const seen = new Set<number>()
    const items: string[] = []
    for (const id of ids) {
      if (seen.has(id)) continue
      seen.add(id)
      const ch = world.byUserId(id)
      if (ch?.live) items.push(livestreamJson(base, ch))
    }
    return rawJson(envelope(items))
  })

  // v2: cursor pagination over all live streams, oldest first; next_cursor "" on the last page.
  router.add('GET', '/public/v2/livestreams', 'api', ({ url, base }) => {
    const q = url.searchParams
    const limitRaw = q.get('limit')
    const limit = limitRaw === null ? 100 : Number(limitRaw)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return kick.badRequest('limit must be between 1 and 1000')
    const cats = intParams(q.getAll('category_id'))
    if (!cats) return kick.badRequest('category_id must be an integer')
    if (cats.length > 25) return kick.badRequest('a maximum of 25 category_id values is allowed')
    const langs = q.getAll('language_code')
    if (langs.length > 25) return kick.badRequest('a maximum of 25 language_code values is allowed')
    let after: [number, number] | null = null
    const cursor = q.get('cursor')
    if (cursor) {
      after = decodeCursor(cursor)
      if (!after) return kick.badRequest('invalid cursor')
    }
    const catSet = cats.length ? new Set(cats) : null
    const langSet = langs.length ? new Set(langs) : null
    const live = world.live()
    const page: Channel[] = []
    let more = false
    for (let i = after ? firstAfter(live, after) : 0; i < live.length; i++) {
      const ch = live[i] as Channel
      if (catSet && !catSet.has(ch.category?.id ?? 0)) continue
      if (langSet && !langSet.has(ch.language)) continue
      if (page.length === limit) {
        more = true
        break
      }
      page.push(ch)
    }
    const last = page[page.length - 1]
    const next = more && last?.stream ? encodeCursor([last.stream.startedAt, last.stream.id]) : ''
    return rawJson(envelope(page.map((ch) => livestreamJson(base, ch)), `,"pagination":{"next_cursor":${JSON.stringify(next)}}`))
  })

  // v1, deprecated by Kick (2026-06-23: "V1 now deprecated"; 2026-07-03: to be migrated off entirely).
  // Kept answering for clients that still call it; nothing in kickmon does. Top-N with `sort`, no pagination.
  router.add('GET', '/public/v1/livestreams', 'api', ({ url, base }) => {
    const q = url.searchParams
    const ids = intParams(q.getAll('broadcaster_user_id'))
    if (!ids) return kick.badRequest('broadcaster_user_id must be an integer')
    if (ids.length > 50) return kick.badRequest('a maximum of 50 broadcaster_user_id values is allowed')
    const limitRaw = q.get('limit')
    const limit = limitRaw === null ? 25 : Number(limitRaw)
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return kick.badRequest('limit must be between 1 and 100')
    const sort = q.get('sort') ?? 'viewer_count'
    if (sort !== 'viewer_count' && sort !== 'started_at') return kick.badRequest('sort must be one of viewer_count, started_at')
    const catRaw = q.get('category_id')
    const cat = catRaw === null ? null : Number(catRaw)
    if (cat !== null && !Number.isInteger(cat)) return kick.badRequest('category_id must be an integer')
    const lang = q.get('language')
    let list = ids.length ? ids.map((id) => world.byUserId(id)).filter((c): c is Channel => !!c?.live) : world.live()
    list = list.filter((c) => (cat === null || c.category?.id === cat) && (!lang || c.language === lang))
    const sorted = [...list].sort(sort === 'viewer_count'
      ? (a, b) => shownViewers(b) - shownViewers(a)
      : (a, b) => (b.stream?.startedAt ?? 0) - (a.stream?.startedAt ?? 0))
    return rawJson(envelope(sorted.slice(0, limit).map((ch) => livestreamV1Json(base, ch))))
  })

  router.add('GET', '/public/v1/livestreams/stats', 'api', () => kick.ok({ total_count: world.live().length }))
}

function encodeCursor(k: [number, number]): string {
  return Buffer.from(JSON.stringify(k)).toString('base64url')
}

function decodeCursor(s: string): [number, number] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString())
    if (Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n))) return [v[0] as number, v[1] as number]
  } catch {}
  return null
}

/** Index of the first stream strictly after the cursor key (list sorted by start, then id). */
function firstAfter(list: Channel[], [t, id]: [number, number]): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const s = (list[mid] as Channel).stream
    const st = s?.startedAt ?? 0
    if (st < t || (st === t && (s?.id ?? 0) <= id)) lo = mid + 1
    else hi = mid
  }
  return lo
}
