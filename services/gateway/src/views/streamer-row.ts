import type { StreamerStatus } from '@kickmon/shared/contracts'
import { html, type Html } from '../html.ts'

const fmt = new Intl.NumberFormat('en-US')

export function rowId(slug: string) {
  return `row-${slug}`
}

function state(s: StreamerStatus) {
  if (s.stale) return html`<span class="badge stale" title="no fresh reading; showing the last known state">STALE</span>`
  return s.live ? html`<span class="badge live">LIVE</span>` : html`<span class="badge off">offline</span>`
}

/** One dashboard row. `oob` makes it replace the row with the same id when pushed over /ws. */
export function streamerRow(s: StreamerStatus, oob = false): Html {
  const cls = ['row', s.live ? 'live' : 'offline', s.stale ? 'stale' : ''].join(' ').trim()
  return html`<div id="${rowId(s.slug)}" class="${cls}" role="row" data-slug="${s.slug}" data-live="${s.live}" data-viewers="${s.viewers}" data-category="${s.category?.name ?? ''}"${oob ? html` hx-swap-oob="true"` : ''}>
<span role="cell" class="avatar" aria-hidden="true">${(s.username || s.slug).slice(0, 1).toUpperCase()}</span>
<span role="cell" class="name"><a href="/streamers/${s.slug}">${s.username || s.slug}</a></span>
<span role="cell" class="state">${state(s)}</span>
<span role="cell" class="viewers">${s.live ? fmt.format(s.viewers) : '–'}</span>
<span role="cell" class="title" title="${s.title ?? ''}">${s.title ?? ''}</span>
<span role="cell" class="category">${s.category?.name ?? ''}</span>
<span role="cell" class="since">${s.live && s.started_at ? html`<time datetime="${s.started_at}" data-relative="duration"></time>` : ''}</span>
<span role="cell" class="checked">${s.checked_at ? html`<time datetime="${s.checked_at}" data-relative="ago"></time>` : 'never'}</span>
</div>`
}

export function rowDeleted(slug: string): Html {
  return html`<div id="${rowId(slug)}" hx-swap-oob="delete"></div>`
}

/** A streamer the client has no row for yet: append it to the list. */
export function rowAppended(s: StreamerStatus): Html {
  return html`<div hx-swap-oob="beforeend:#rows">${streamerRow(s)}</div>`
}

export function sortStatuses(list: StreamerStatus[]): StreamerStatus[] {
  return [...list].sort((a, b) => Number(b.live) - Number(a.live) || b.viewers - a.viewers || a.slug.localeCompare(b.slug))
}

export function rowsSnapshot(list: StreamerStatus[]): Html {
  return html`<div id="rows" hx-swap-oob="innerHTML">${sortStatuses(list).map((s) => streamerRow(s))}</div>`
}
