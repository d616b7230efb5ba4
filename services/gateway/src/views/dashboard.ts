import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { SessionUser } from '../clients/auth-client.ts'
import { arrange, matches, type DashQuery } from './dashboard-view.ts'
import { html, type Html } from './html.ts'
import { fmtInt } from './format.ts'
import { page } from './layout.ts'
import { streamerRow, type RowExtras } from './streamer-row.ts'

const opt = (value: string, label: string, current: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`

function controls(q: DashQuery, categories: string[]): Html {
  return html`<form id="view" class="controls" method="get" action="/" role="search" aria-label="Sort and filter">
  <label class="grow">search <input type="search" id="f-q" name="q" value="${q.q}" maxlength="100" placeholder="name, title, category  ( / )" autocomplete="off"></label>
  <label>sort <select name="sort">${opt('live', 'live first', q.sort)}${opt('viewers', 'viewers', q.sort)}${opt('name', 'name', q.sort)}</select></label>
  <label>category <select name="category">${opt('', 'any', q.category)}${categories.map((c) => opt(c, c, q.category))}${
    q.category && !categories.includes(q.category) ? opt(q.category, q.category, q.category) : ''
  }</select></label>
  <label>group <select name="group">${opt('none', 'none', q.group)}${opt('state', 'state', q.group)}${opt('category', 'category', q.group)}</select></label>
  <label class="check"><input type="checkbox" name="live" value="1"${q.live ? html` checked` : ''}> live only</label>
  <button type="submit" class="secondary nojs">apply</button>
</form>`
}

function addForm(): Html {
  return html`<form class="add" hx-post="/streamers" hx-target="#add-result" hx-disable="find button" data-reset-on-success>
  <label>add a streamer <input name="slug" required maxlength="200" placeholder="slug or kick.com/&hellip; link" autocomplete="off"></label>
  <button type="submit">+ add</button>
  <span id="add-result" class="result" aria-live="polite"></span>
</form>`
}

export function groupHead(group: string, count: number): Html {
  return html`<div class="row group" role="row" data-group="${group}"><span role="cell">${group} <small>· ${fmtInt(count)}</small></span></div>`
}

export function dashboardPage(o: { user: SessionUser; csrf: string; statuses: StreamerStatus[]; q: DashQuery; cursor: string; extras: RowExtras }): string {
  const { statuses, q } = o
  const categories = [...new Set(statuses.map((s) => s.category?.name).filter((c): c is string => !!c))].sort((a, b) => a.localeCompare(b))
  const live = statuses.filter((s) => s.live && !s.stale)
  const stale = statuses.filter((s) => s.stale).length
  const shown = statuses.filter((s) => matches(s, q))
  const groups = arrange(statuses, q)
  const rows = groups.map((g) => [
    g.group ? groupHead(g.group, g.rows.filter((s) => matches(s, q)).length) : '',
    g.rows.map((s) => streamerRow(s, o.extras, { hidden: !matches(s, q) })),
  ])
  return page({
    title: 'dashboard', user: o.user, csrf: o.csrf, active: '/', scripts: ['dashboard.js'],
    body: html`<section hx-ws:connect="/ws?since=${o.cursor}" id="live" class="dash" aria-labelledby="dash-title">
  <header class="dash-head">
    <h1 id="dash-title">streamers</h1>
    <p class="counts"><b id="count-live">${fmtInt(live.length)}</b> live · <b id="count-viewers">${fmtInt(live.reduce((n, s) => n + (s.viewers ?? 0), 0))}</b> viewers · <b id="count-total">${fmtInt(statuses.length)}</b> watched<span class="stale-count"${stale ? '' : html` hidden`}> · <b id="count-stale">${fmtInt(stale)}</b> stale</span><span class="shown"> · showing <b id="count-shown">${fmtInt(shown.length)}</b></span></p>
    <p class="conn" id="conn" role="status" data-state="connecting">connecting&hellip;</p>
  </header>
  ${controls(q, categories)}
  ${o.user.role !== 'viewer' ? addForm() : ''}
  <div class="table" role="table" aria-label="Monitored streamers">
    <div class="row head" role="row">
      <span role="columnheader" class="av"><span class="sr">avatar</span></span><span role="columnheader" class="name">name</span><span role="columnheader" class="state">state</span>
      <span role="columnheader" class="viewers">viewers</span><span role="columnheader" class="title">title</span><span role="columnheader" class="category">category</span>
      <span role="columnheader" class="since">live for</span><span role="columnheader" class="checked">checked</span>
    </div>
    <div id="rows" role="rowgroup">${rows}</div>
  </div>
  <p class="empty" id="empty"${shown.length ? html` hidden` : ''}>${
    statuses.length === 0
      ? o.user.role !== 'viewer' ? 'No streamers yet: add one above.' : 'No streamers are assigned to you yet. Ask an admin.'
      : 'No streamer matches these filters.'
  }</p>
</section>`,
  })
}
