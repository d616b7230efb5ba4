import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { html, type Html } from './html.ts'
import { fmtAgo, fmtInt } from './format.ts'
import { sparkline } from './sparkline.ts'

/** What a row needs besides the status: the viewer trend and the avatar's cache key. */
export type RowExtras = { points(slug: string): number[]; change(slug: string): { pct: number; minutes: number } | null }
export const NO_EXTRAS: RowExtras = { points: () => [], change: () => null }

export const rowId = (slug: string) => `row-${slug}`

/** Avatars go through the gateway (`/media`), keyed by a hash of the source so a new picture busts caches. */
export function avatar(s: StreamerStatus, size = 28): Html {
  const letter = (s.username || s.slug).slice(0, 1).toUpperCase()
  if (!s.profile_picture_url) return html`<span class="avatar" aria-hidden="true">${letter}</span>`
  const v = Bun.hash(s.profile_picture_url).toString(36)
  return html`<img class="avatar" src="/media/avatar/${s.slug}?v=${v}" alt="" width="${size}" height="${size}" loading="lazy">`
}

function stateBadge(s: StreamerStatus) {
  if (s.stale)
    return html`<span class="badge stale" title="no fresh reading; last known: ${s.live ? 'live' : 'offline'}, checked ${fmtAgo(s.checked_at)}">STALE</span> <small class="dim">${s.live ? 'was live' : 'was off'}</small>`
  return s.live ? html`<span class="badge live">LIVE</span>` : html`<span class="badge off">offline</span>`
}

function viewers(s: StreamerStatus, x: RowExtras) {
  if (!s.live) return html`<span class="dim">&ndash;</span>`
  if (s.viewers === null) return html`<span class="dim hidden-count" title="the streamer hides the viewer count on Kick">hidden</span>`
  const ch = x.change(s.slug)
  const dir = !ch ? '' : ch.pct > 2 ? 'up' : ch.pct < -2 ? 'down' : 'flat'
  const label = ch ? `viewers ${ch.pct >= 0 ? '+' : ''}${ch.pct.toFixed(0)}% over ${ch.minutes} min` : 'viewer trend'
  return html`<span class="num">${fmtInt(s.viewers)}</span>${dir ? html`<span class="trend ${dir}" title="${label}"><span class="sr">${label}</span></span>` : ''}${sparkline(x.points(s.slug), label)}`
}

/**
 * One dashboard row. `oob` makes it replace the row with the same id when pushed over /ws.
 * data-* attributes carry what the client sorts and counts by (stale and category it reads from
 * the class and the category cell). Kept lean: a whole-fleet change sends every row to every socket.
 * Our own markup is Latin-1 only (entities such as `&ndash;`, not the characters): one character
 * outside it makes JavaScriptCore store the whole string, row or page, at two bytes a character.
 */
export function streamerRow(s: StreamerStatus, x: RowExtras = NO_EXTRAS, o: { oob?: boolean; hidden?: boolean } = {}): Html {
  const cls = `row ${s.live ? 'live' : 'offline'}${s.stale ? ' stale' : ''}`
  const name = s.username || s.slug
  return html`<div id="${rowId(s.slug)}" class="${cls}" role="row" data-slug="${s.slug}" data-name="${name.toLowerCase()}" data-live="${s.live ? 1 : 0}" data-viewers="${s.live ? (s.viewers ?? 0) : 0}"${o.oob ? html` hx-swap-oob="true"` : ''}${o.hidden ? html` hidden` : ''}><span role="cell" class="av">${avatar(s)}</span><span role="cell" class="name"><a id="a-${s.slug}" href="/streamers/${s.slug}">${name}</a></span><span role="cell" class="state">${stateBadge(s)}</span><span role="cell" class="viewers">${viewers(s, x)}</span><span role="cell" class="title">${s.title ?? ''}</span><span role="cell" class="category">${s.category?.name ?? ''}</span><span role="cell" class="since">${s.live && s.started_at ? html`<time datetime="${s.started_at}" data-relative="duration"></time>` : ''}</span><span role="cell" class="checked">${s.checked_at ? html`<time datetime="${s.checked_at}" data-relative="ago">${fmtAgo(s.checked_at)}</time>` : 'never'}${s.source === 'browser' ? html` <small class="src" title="read from kick.com's website (fallback), not the API">web</small>` : ''}</span></div>`
}

export function rowDeleted(slug: string): Html {
  return html`<div id="${rowId(slug)}" hx-swap-oob="delete"></div>`
}

/** Deletes several rows with one element (htmx resolves the selector list with querySelectorAll; slugs are selector-safe). */
export function rowsDeleted(slugs: string[]): string {
  if (slugs.length < 2) return slugs.length ? rowDeleted(slugs[0]!).value : ''
  return `<div hx-swap-oob="delete:${slugs.map((s) => `#${rowId(s)}`).join(',')}"></div>`
}

/** Insert-or-replace, idempotent: delete any copy, then append (the client re-sorts). */
export function rowUpsert(s: StreamerStatus, x: RowExtras = NO_EXTRAS): Html {
  return html`${rowDeleted(s.slug)}<div hx-swap-oob="beforeend:#rows">${streamerRow(s, x)}</div>`
}
