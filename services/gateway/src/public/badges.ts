import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { lazyRequire } from '@kickmon/shared/lazy'
import type { StatusStore } from '../live/status-store.ts'
import { fmtInt } from '../views/format.ts'
import type { PublicPages } from './pages.ts'

// Streamer badges (`/badge/<slug>.svg`) made with badge-maker, Shields.io's own library. Only
// streamers on at least one public page have one; any other slug, monitored or not, gets the
// very same "not found" badge, made from nothing but what the request said, so a badge never
// tells whether someone watches a streamer. Viewers appear only when a page listing the
// streamer shows viewers.

export const BADGE_STYLES = ['flat', 'flat-square', 'plastic', 'for-the-badge', 'social'] as const
export type BadgeStyle = (typeof BADGE_STYLES)[number]
export type Badge = { svg: string; etag: string; found: boolean }

/** Badges kept ready; past this the cache starts over (each is rendered again on its next request). */
const MAX_CACHED = 20_000

/**
 * badge-maker (and its tables of glyph widths) costs the gateway ~6 MB at start, though most
 * installations draw no badge; loaded on the first badge instead. Synchronous because the
 * /badge route answers from `get()` as it is.
 */
const badgeMaker = lazyRequire('badge-maker', 'drawing badges', () => require('badge-maker') as typeof import('badge-maker'))

export class Badges {
  private cache = new Map<string, Badge>()
  renders = 0

  constructor(
    private readonly statuses: StatusStore,
    private readonly pages: PublicPages,
  ) {}

  /** Like Shields: an unknown style falls back to flat; a label is cut to 64 characters. */
  static options(q: URLSearchParams): { style: BadgeStyle; label: string | null } {
    const style = (BADGE_STYLES as readonly string[]).includes(q.get('style') ?? '') ? (q.get('style') as BadgeStyle) : 'flat'
    const label = q.get('label')
    return { style, label: label === null ? null : [...label].slice(0, 64).join('') }
  }

  get(slug: string, style: BadgeStyle, label: string | null): Badge {
    const s = this.pages.isListed(slug) ? this.statuses.get(slug) : null
    const viewers = !!s && this.pages.showsViewers(slug)
    // The key holds everything the badge shows: a change of status is a new key (rendered once).
    const key = s ? `${slug}|${style}|${label ?? ''}|${s.username}|${s.live}|${s.stale}|${viewers ? s.viewers : ''}` : `?|${slug}|${style}|${label ?? ''}`
    let b = this.cache.get(key)
    if (!b) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear()
      this.renders++
      const svg = badgeMaker().makeBadge({ ...(s ? message(s, viewers) : { message: 'not found', color: 'lightgrey' }), label: label ?? (s?.username || slug), style })
      b = { svg, etag: `"b-${Bun.hash(svg).toString(36)}"`, found: !!s }
      this.cache.set(key, b)
    }
    return b
  }
}

function message(s: StreamerStatus, viewers: boolean): { message: string; color: string } {
  if (s.stale) return { message: s.live ? 'was live · unknown now' : 'unknown', color: 'yellow' }
  if (!s.live) return { message: 'offline', color: 'lightgrey' }
  // A hidden count (the streamer's choice on Kick) is shown as plain "live", never as 0.
  return { message: viewers && s.viewers !== null ? `live · ${fmtInt(s.viewers)} viewers` : 'live', color: 'brightgreen' }
}
