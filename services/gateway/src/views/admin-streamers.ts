import type { AuditEntry } from '@kickmon/shared/contracts/auth'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { ArchivedStreamer } from '@kickmon/shared/contracts/poller'
import type { SessionUser } from '../clients/auth-client.ts'
import { html, type Html } from './html.ts'
import { panel } from './components.ts'
import { fmtAgo, fmtInt, fmtTime } from './format.ts'
import { page } from './layout.ts'

export type ImportResult = { input: string; slug: string | null; outcome: 'added' | 'exists' | 'not_found' | 'invalid' | 'failed'; message: string }

const OUTCOME: Record<ImportResult['outcome'], string> = { added: 'ok', exists: 'dim', not_found: 'bad', invalid: 'bad', failed: 'bad' }

export function importResults(results: ImportResult[]): Html {
  const n = (o: ImportResult['outcome']) => results.filter((r) => r.outcome === o).length
  return html`<p class="${n('added') ? 'notice' : 'error'}" role="status">${n('added')} added · ${n('exists')} already monitored · ${n('not_found')} unknown to Kick · ${n('invalid') + n('failed')} failed</p>
<ul class="import-results">${results.map((r) => html`<li class="${OUTCOME[r.outcome]}"><code>${r.input}</code> → ${r.message}</li>`)}</ul>`
}

export function monitoredRow(s: StreamerStatus): Html {
  return html`<tr id="m-${s.slug}" data-filter-text="${s.slug} ${s.username}">
<td><a href="/streamers/${s.slug}">${s.username || s.slug}</a> <small class="dim">/${s.slug}</small></td>
<td>${s.stale ? html`<span class="badge stale">STALE</span>` : s.live ? html`<span class="badge live">LIVE</span>` : html`<span class="badge off">offline</span>`}</td>
<td class="num">${s.live ? (s.viewers === null ? 'hidden' : fmtInt(s.viewers)) : '–'}</td>
<td><small>${s.checked_at ? fmtAgo(s.checked_at) : 'never'}${s.source ? ` · ${s.source}` : ''}</small></td>
<td><button type="button" class="danger" hx-delete="/admin/streamers/${s.slug}" hx-confirm="Stop monitoring ${s.slug}? It is archived: its history (events, streams, viewer samples, profile) and assignments are kept, and adding it again resumes it. Nothing is deleted." hx-target="#m-${s.slug}" hx-swap="delete">remove</button></td>
</tr>`
}

export function auditRows(items: AuditEntry[]): Html {
  return html`${items.map(
    (a) => html`<tr><td><small>${fmtTime(a.at)}</small></td><td><code>${a.action}</code></td><td>${a.actor_name ?? '–'}</td><td>${a.target ?? ''}</td><td><small>${a.ip ?? ''}</small></td><td class="clip"><small>${a.details ? JSON.stringify(a.details) : ''}</small></td></tr>`,
  )}`
}

export function adminStreamersPage(o: { user: SessionUser; csrf: string; streamers: StreamerStatus[]; archived: ArchivedStreamer[] | null; audit: { items: AuditEntry[]; next_before: number | null } | null; auditAction: string }): string {
  const sorted = [...o.streamers].sort((a, b) => a.slug.localeCompare(b.slug))
  const next = o.audit?.next_before ? `?audit_before=${o.audit.next_before}${o.auditAction ? `&action=${encodeURIComponent(o.auditAction)}` : ''}#audit-title` : null
  return page({
    title: 'streamers', user: o.user, csrf: o.csrf, active: '/admin/streamers',
    body: html`<h1>monitored streamers</h1>
<div class="two-col">
${panel('add-title', 'add one', html`<form hx-post="/admin/streamers" hx-target="#add-result" hx-disable="find button" data-reset-on-success class="stack">
  <label>Kick slug or link <input name="slug" required maxlength="200" placeholder="xqc or https://kick.com/xqc" autocomplete="off"></label>
  <button type="submit">+ add</button>
  <div id="add-result" class="result" aria-live="polite"></div>
</form><p class="dim">Each slug is checked with Kick before it is monitored.</p>`)}
${panel('import-title', 'import a list', html`<form hx-post="/admin/streamers/import" hx-target="#import-result" hx-disable="find button" class="stack">
  <label>slugs or links, one per line (commas and spaces work too; at most 500) <textarea name="list" rows="5" required maxlength="100000"></textarea></label>
  <button type="submit">import</button>
  <div id="import-result" class="result" aria-live="polite"></div>
</form>`)}
</div>
${panel('list-title', `monitored (${fmtInt(sorted.length)})`, html`<p><input type="search" placeholder="filter" data-filter-rows="#monitored-body" aria-label="filter monitored streamers"></p>
<div class="scroll"><table class="data"><thead><tr><th scope="col">streamer</th><th scope="col">state</th><th scope="col">viewers</th><th scope="col">checked</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="monitored-body">${sorted.map(monitoredRow)}</tbody></table></div>
<p class="dim">Remove stops monitoring and archives the streamer: nothing is deleted, and adding the slug again resumes it with its history.</p>`)}
${archivedPanel(o.archived)}
${panel('audit-title', 'audit log', html`<form method="get" action="/admin/streamers#audit-title" class="inline-form"><label>action <input name="action" value="${o.auditAction}" placeholder="e.g. login. or user.create" maxlength="64" pattern="[a-z_.]*"></label> <button type="submit" class="secondary">filter</button></form>
${o.audit === null ? html`<p class="error">the audit log is unavailable right now</p>` : html`<div class="scroll"><table class="data"><thead><tr><th scope="col">when</th><th scope="col">action</th><th scope="col">who</th><th scope="col">target</th><th scope="col">ip</th><th scope="col">details</th></tr></thead>
<tbody>${auditRows(o.audit.items)}</tbody></table></div>
${next ? html`<p><a href="${next}">older entries →</a></p>` : ''}`}`)}`,
  })
}

export function archivedRow(a: ArchivedStreamer): Html {
  return html`<tr id="a-${a.slug}" data-filter-text="${a.slug} ${a.username}">
<td><a href="/streamers/${a.slug}">${a.username || a.slug}</a> <small class="dim">/${a.slug}</small></td>
<td><small>${fmtTime(a.archived_at)}</small></td>
<td class="num">${fmtInt(a.sessions)}</td>
<td class="num">${fmtInt(a.events)}</td>
<td><form hx-post="/admin/streamers" hx-target="#archived-result" class="inline-form"><input type="hidden" name="slug" value="${a.slug}"><button type="submit" class="secondary">resume</button></form>
<details class="purge"><summary>purge…</summary>
<form hx-post="/admin/streamers/${a.slug}/purge" hx-target="#archived-result" class="stack">
  <p class="error">Deletes ${a.slug}'s whole history for good: ${fmtInt(a.sessions)} streams, ${fmtInt(a.events)} events, every viewer sample and the profile. This cannot be undone. Users' assignments to the slug are not history and stay (change them on the users page).</p>
  <label>type <code>${a.slug}</code> to confirm <input name="confirm" required maxlength="25" autocomplete="off" spellcheck="false"></label>
  <button type="submit" class="danger">purge history</button>
</form></details></td>
</tr>`
}

function archivedPanel(list: ArchivedStreamer[] | null): Html {
  return panel('archived-title', `archived (${list ? fmtInt(list.length) : '?'})`, list === null
    ? html`<p class="error">the archived streamers are unavailable right now (the poller did not answer)</p>`
    : list.length === 0
      ? html`<p class="dim">No archived streamers. Removing a streamer archives it here, with its history.</p>`
      : html`<p class="dim">Not monitored; their history is kept and browsable. Resume adds one back with its history and assignments; purge deletes its history for good.</p>
<div id="archived-result" class="result" aria-live="polite"></div>
<div class="scroll"><table class="data"><thead><tr><th scope="col">streamer</th><th scope="col">archived</th><th scope="col">streams</th><th scope="col">events</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="archived-body">${list.map(archivedRow)}</tbody></table></div>`)
}
