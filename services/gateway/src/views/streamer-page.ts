import type { StatusEvent, StreamerStatus } from '@kickmon/shared/contracts/status'
import type { StreamerProfile, StreamSession } from '@kickmon/shared/contracts/poller'
import type { SessionUser } from '../clients/auth-client.ts'
import { html, type Html } from './html.ts'
import { errorBox, moreButton } from './components.ts'
import { fmtDec, fmtDuration, fmtInt, fmtTime } from './format.ts'
import { page } from './layout.ts'
import { avatar, streamerRow, type RowExtras } from './streamer-row.ts'

export const RANGES = ['live', '24h', '7d', '30d'] as const
export type Range = (typeof RANGES)[number]

export type StreamerPageData = {
  user: SessionUser
  csrf: string
  status: StreamerStatus
  profile: StreamerProfile | null
  sessions: StreamSession[] | null
  events: StatusEvent[] | null
  range: Range
  /** The stream the "live" range shows: the current one, else the last. */
  liveWindow: { from: string; to: string | null } | null
  cursor: string
  kickUrl: string
  extras: RowExtras
  /** Set when the streamer is archived (removed from monitoring, history kept): admins only. */
  archivedAt?: string | null
}

const PAGE = 20

/** `archivedAt`: a stream still open when its streamer was archived was not watched after that, so it is not shown as live. */
export function sessionRows(list: StreamSession[], archivedAt?: string | null): Html {
  const open = archivedAt ? html` <span class="badge off" title="not watched since ${fmtTime(archivedAt)}">archived</span>` : html` <span class="badge live">LIVE</span>`
  return html`${list.map(
    (s) => html`<tr>
<td><time datetime="${s.started_at}">${fmtTime(s.started_at)}</time>${s.ended_at ? '' : open}</td>
<td class="num">${fmtDuration(s.duration_s)}</td>
<td class="num">${fmtInt(s.peak_viewers)}${s.peak_at ? html`<br><small class="dim">${fmtTime(s.peak_at)}</small>` : ''}</td>
<td class="num">${fmtDec(s.avg_viewers)}</td>
<td class="num">${fmtDec(s.hours_watched)}</td>
<td class="clip">${s.title ?? ''}</td>
<td>${s.category ?? ''}</td>
</tr>`,
  )}`
}

export function sessionsMore(slug: string, list: StreamSession[]): Html {
  const last = list.at(-1)
  return moreButton('sessions-more', list.length >= PAGE && last ? `/streamers/${slug}/sessions?before=${encodeURIComponent(last.started_at)}` : null, true)
}

function eventText(e: StatusEvent): Html {
  switch (e.type) {
    case 'online':
      return html`went <b class="ok">live</b>${e.status.title ? html`: ${e.status.title}` : ''}`
    case 'offline':
      return html`went <b class="dim">offline</b>`
    case 'title':
      return html`title → ${e.status.title ?? '(none)'}`
    case 'category':
      return html`category → ${e.status.category?.name ?? '(none)'}`
  }
}

export function timelineRows(list: StatusEvent[]): Html {
  return html`${list.map(
    (e) => html`<li class="ev ${e.type}"><time datetime="${e.at}">${fmtTime(e.at)}</time> <span class="tag">${e.type}</span> <span class="what">${eventText(e)}</span></li>`,
  )}`
}

export function timelineMore(slug: string, list: StatusEvent[]): Html {
  const last = list.at(-1)
  return moreButton('timeline-more', list.length >= 50 && last ? `/streamers/${slug}/timeline?before=${encodeURIComponent(last.at)}` : null, true)
}

/** Followers and subscribers as far as a source gave them ("unknown" otherwise), each with when it was read. */
function audience(p: StreamerProfile): Html {
  const when = (at: string | null | undefined) => (at ? `read ${fmtTime(at)}` : 'no source has it')
  const followers = p.followers_count != null ? `${fmtInt(p.followers_count)} followers` : 'followers unknown'
  const subs = p.active_subscribers_count != null
    ? `${fmtInt(p.active_subscribers_count)} subscribers${p.active_gifted_subscribers_count != null ? ` (${fmtInt(p.active_gifted_subscribers_count)} gifted)` : ''}`
    : 'subscribers unknown'
  return html`<span class="followers" title="${when(p.followers_at)}">${followers}</span> · <span class="subscribers" title="${when(p.subscribers_at)}">${subs}</span> · `
}

export function streamerPage(o: StreamerPageData): string {
  const s = o.status
  const p = o.profile
  const name = s.username || s.slug
  const banner = p?.banner_url ? `/media/banner/${s.slug}?v=${Bun.hash(p.banner_url).toString(36)}` : null
  return page({
    title: name, user: o.user, csrf: o.csrf, scripts: ['dashboard.js', 'uPlot.iife.min.js', 'time-ticks.js', 'chart.js'], styles: ['uPlot.min.css'],
    body: html`<article class="streamer" aria-labelledby="s-title">
  ${banner ? html`<div class="banner"><img src="${banner}" alt="" width="1200" height="240"></div>` : ''}
  <header class="profile">
    ${avatar(s, 96)}
    <div class="who">
      <h1 id="s-title">${name} <small class="dim">/${s.slug}</small></h1>
      <p class="meta">${s.category?.name ? html`<span>${s.category.name}</span> · ` : ''}${p ? html`${audience(p)}<span>monitored since ${fmtTime(p.monitored_since)}</span> · ` : ''}<a href="${o.kickUrl}" rel="noopener noreferrer">open on Kick ↗</a></p>
      ${p?.bio ? html`<p class="bio">${p.bio}</p>` : ''}
    </div>
    ${o.user.role === 'user'
      ? html`<button type="button" class="danger secondary" hx-delete="/streamers/${s.slug}" hx-confirm="Remove ${name} from your list?" hx-target="#s-actions">remove from my list</button><span id="s-actions" class="result"></span>`
      : ''}
  </header>
  <div id="notify-me" hx-get="/notifications/notify-me/${s.slug}" hx-trigger="load" hx-swap="outerHTML"></div>

  ${o.archivedAt
    ? html`<section class="panel archived" aria-labelledby="now-title">
    <h2 id="now-title">archived</h2>
    <p class="notice" role="status">Not monitored since ${fmtTime(o.archivedAt)}: ${name} was removed and archived. Its history below is kept as it was; adding <code>${s.slug}</code> again resumes it, and only a purge on <a href="/admin/streamers">the streamers page</a> deletes it.</p>
  </section>`
    : html`<section class="panel" aria-labelledby="now-title">
    <h2 id="now-title">now <span class="conn" id="conn" role="status" data-state="connecting">connecting…</span></h2>
    <div class="table single" role="table" aria-label="Current state" hx-ws:connect="/ws?slug=${s.slug}&amp;since=${o.cursor}">
      <div id="rows" role="rowgroup">${streamerRow(s, o.extras)}</div>
    </div>
  </section>`}

  <section class="panel" aria-labelledby="chart-title">
    <h2 id="chart-title">viewers</h2>
    <nav class="ranges" aria-label="Chart range">${RANGES.map(
      (r) => html`<a href="?range=${r}" data-range="${r}"${r === o.range ? html` aria-current="true"` : ''}>${r === 'live' ? (s.live ? 'this stream' : 'last stream') : r}</a>`,
    )}</nav>
    <div id="chart" class="chart" data-slug="${s.slug}" data-range="${o.range}" data-live-from="${o.liveWindow?.from ?? ''}" data-live-to="${o.liveWindow?.to ?? ''}" role="img" aria-label="Viewer history chart; the summary below has the figures"></div>
    <p class="chart-note dim" id="chart-note" aria-live="polite">loading…</p>
    <p class="exports">export CSV: <a id="csv-viewers" href="/streamers/${s.slug}/viewers.csv?range=${o.range}" download>viewer history (${o.range})</a> · <a href="/streamers/${s.slug}/sessions.csv" download>all streams</a></p>
  </section>

  <section class="panel" aria-labelledby="sessions-title">
    <h2 id="sessions-title">past streams</h2>
    ${o.sessions === null
      ? errorBox('stream history is unavailable right now (the poller did not answer); try again shortly')
      : o.sessions.length === 0
        ? html`<p class="dim">No streams recorded yet.</p>`
        : html`<div class="scroll"><table class="data">
      <thead><tr><th scope="col">started</th><th scope="col">duration</th><th scope="col">peak (when)</th><th scope="col">avg viewers</th><th scope="col">hours watched</th><th scope="col">title</th><th scope="col">category</th></tr></thead>
      <tbody id="sessions-body">${sessionRows(o.sessions, o.archivedAt)}</tbody>
    </table></div>${sessionsMore(s.slug, o.sessions)}`}
  </section>

  <section class="panel" aria-labelledby="timeline-title">
    <h2 id="timeline-title">title &amp; category timeline</h2>
    ${o.events === null
      ? errorBox('the timeline is unavailable right now (the poller did not answer); try again shortly')
      : o.events.length === 0
        ? html`<p class="dim">No changes recorded yet.</p>`
        : html`<ol class="timeline" id="timeline-body">${timelineRows(o.events)}</ol>${timelineMore(s.slug, o.events)}`}
  </section>
</article>`,
  })
}
