import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { html, raw, type Html } from './html.ts'
import { fmtDuration, fmtInt, fmtTime } from './format.ts'

// Pages for people without an account: public status pages (/p/<slug>, its /embed) and share
// links (/s/<token>). Only what the page owner chose to show; no avatars (those are served to
// signed-in users only), no links into the signed-in app, no cookies, no CSRF token.

export type LastStream = { started_at: string; ended_at: string | null; duration_s: number }
export type RowOptions = { viewers: boolean; history: boolean; kickUrl: string }

export const publicRowId = (slug: string) => `pr-${slug}`

function state(s: StreamerStatus): Html {
  if (s.stale) return html`<span class="badge stale" title="no fresh reading">STALE</span> <small class="dim">${s.live ? 'was live' : 'was off'}</small>`
  return s.live ? html`<span class="badge live">LIVE</span>` : html`<span class="badge off">offline</span>`
}

function lastStream(s: StreamerStatus, last: LastStream | null | undefined): Html {
  if (s.live) return html``
  if (!last) return html`<span class="dim">&ndash;</span>`
  const end = last.ended_at ?? s.changed_at
  return html`last live <time datetime="${end}" data-relative="ago" title="${fmtTime(end)}"></time> <small class="dim">(${fmtDuration(last.duration_s)})</small>`
}

/** One streamer's row; the same markup goes into the page, its JSON's twin and the live feed. */
export function publicRow(s: StreamerStatus, o: RowOptions, last?: LastStream | null, oob = false): string {
  const name = s.username || s.slug
  const letter = name.slice(0, 1).toUpperCase()
  return html`<div id="${publicRowId(s.slug)}" class="row ${s.live ? 'live' : 'offline'}${s.stale ? ' stale' : ''}" role="row"${oob ? html` hx-swap-oob="true"` : ''}><span role="cell" class="av"><span class="avatar" aria-hidden="true">${letter}</span></span><span role="cell" class="name"><a href="${o.kickUrl}/${s.slug}" target="_blank" rel="noopener noreferrer">${name}</a></span><span role="cell" class="state">${state(s)}</span><span role="cell" class="viewers">${o.viewers && s.live ? (s.viewers === null ? html`<span class="dim" title="the streamer hides the viewer count">hidden</span>` : html`<span class="num">${fmtInt(s.viewers)}</span>`) : ''}</span><span role="cell" class="title">${s.live ? (s.title ?? '') : ''}</span><span role="cell" class="category">${s.live ? (s.category?.name ?? '') : ''}</span><span role="cell" class="since">${s.live && s.started_at ? html`<time datetime="${s.started_at}" data-relative="duration"></time>` : ''}</span><span role="cell" class="checked">${o.history ? lastStream(s, last) : ''}</span></div>`.value
}

export const liveCount = (statuses: StreamerStatus[], oob = false) =>
  html`<b id="p-live"${oob ? html` hx-swap-oob="true"` : ''}>${fmtInt(statuses.filter((s) => s.live && !s.stale).length)}</b>`.value

export type PublicPageView = {
  title: string
  description: string | null
  rows: string
  statuses: StreamerStatus[]
  /** Where the live feed connects. */
  feed: string
  viewers: boolean
  history: boolean
  embed?: boolean
  /** Links shown under the list (JSON, the full page). */
  links?: { href: string; label: string }[]
  generatedAt: string
  /** Under the list: a shared streamer's past streams. */
  extra?: Html
}

/** A shared streamer's last streams (what its page in the app shows, without the chart). */
export function pastStreams(list: { started_at: string; ended_at: string | null; duration_s: number; peak_viewers: number; avg_viewers: number; title: string | null; category: string | null }[]): Html {
  if (!list.length) return html``
  return html`<section class="panel" aria-labelledby="past-title"><h2 id="past-title">past streams</h2><div class="scroll"><table class="data">
<thead><tr><th scope="col">started</th><th scope="col">duration</th><th scope="col">peak</th><th scope="col">average</th><th scope="col">title</th><th scope="col">category</th></tr></thead>
<tbody>${list.map((x) => html`<tr><td><small>${fmtTime(x.started_at)}</small></td><td>${x.ended_at ? fmtDuration(x.duration_s) : 'live'}</td><td class="num">${fmtInt(x.peak_viewers)}</td><td class="num">${fmtInt(x.avg_viewers)}</td><td class="clip">${x.title ?? ''}</td><td>${x.category ?? ''}</td></tr>`)}</tbody>
</table></div></section>`
}

function head(title: string): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<meta name="robots" content="noindex">
<title>${title} · kickmon</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/kickmon.js" defer></script>
</head>`
}

/** A public page (or its embed): rendered once per change and served as is to every viewer. */
export function publicPage(v: PublicPageView): string {
  const body = html`<section hx-ws:connect="${v.feed}" id="live" class="dash public${v.embed ? ' embed' : ''}" aria-labelledby="p-title">
  <header class="dash-head">
    <h1 id="p-title">${v.title}</h1>
    <p class="counts">${raw(liveCount(v.statuses))} of <b>${fmtInt(v.statuses.length)}</b> live</p>
    <p class="conn" id="conn" role="status" data-state="connecting">connecting&hellip;</p>
  </header>
  ${v.description ? html`<p class="dim">${v.description}</p>` : ''}
  <div class="table" role="table" aria-label="${v.title}">
    <div class="row head" role="row">
      <span role="columnheader" class="av"><span class="sr">avatar</span></span><span role="columnheader" class="name">name</span><span role="columnheader" class="state">state</span>
      <span role="columnheader" class="viewers">${v.viewers ? 'viewers' : ''}</span><span role="columnheader" class="title">title</span><span role="columnheader" class="category">category</span>
      <span role="columnheader" class="since">live for</span><span role="columnheader" class="checked">${v.history ? 'last stream' : ''}</span>
    </div>
    <div id="p-rows" role="rowgroup">${raw(v.rows)}</div>
  </div>
  ${v.extra ?? ''}
  <p class="dim"><small>as of <time datetime="${v.generatedAt}">${fmtTime(v.generatedAt)}</time>${(v.links ?? []).map((l) => html` · <a href="${l.href}"${v.embed ? html` target="_blank" rel="noopener"` : ''}>${l.label}</a>`)} · kickmon</small></p>
</section>`
  return '<!doctype html>' + html`<html lang="en">${head(v.title)}<body><main id="main">${body}</main></body></html>`.value
}

/** What every failed share link shows, whatever the reason (expired, revoked, tampered…). */
export function expiredPage(): string {
  return '<!doctype html>' + html`<html lang="en">${head('link expired')}<body><main id="main" class="narrow">
<h1>This link has expired</h1>
<p>Ask the person who shared it for a new one.</p>
</main></body></html>`.value
}

/** Unknown (or removed) status page. */
export function pageNotFound(): string {
  return '<!doctype html>' + html`<html lang="en">${head('not found')}<body><main id="main" class="narrow">
<h1>No such page</h1>
<p>There is no public status page at this address.</p>
</main></body></html>`.value
}
