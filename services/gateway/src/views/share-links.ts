import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { ShareLink } from '@kickmon/shared/contracts/public'
import type { SessionUser } from '../clients/auth-client.ts'
import { html, type Html } from './html.ts'
import { notice, panel } from './components.ts'
import { fmtTime } from './format.ts'
import { page } from './layout.ts'

// /share: read-only links to streamers you can see, for people without an account.

export const EXPIRIES: [number, string][] = [[3600, '1 hour'], [86_400, '1 day'], [7 * 86_400, '7 days'], [30 * 86_400, '30 days']]

const target = (l: ShareLink) =>
  l.target.type === 'streamer' ? html`<a href="/streamers/${l.target.slug}">${l.target.slug}</a>` : html`${l.target.title ?? 'view'} <small class="dim">(${l.target.slugs.join(', ')})</small>`

export function shareRow(l: ShareLink & { url: string }): Html {
  return html`<tr id="share-${l.id}">
<td>${target(l)}</td>
<td><input type="text" readonly value="${l.url}" aria-label="link" data-select-on-focus class="wide"></td>
<td><small>${fmtTime(l.expires_at)}</small></td>
<td><button type="button" class="danger" hx-delete="/share/${l.id}" hx-confirm="Revoke this link? Anyone holding it loses it at once." hx-target="#share-${l.id}" hx-swap="delete">revoke</button></td>
</tr>`
}

export const linkMade = (url: string, expiresAt: string) =>
  html`${notice(html`link made, valid until ${fmtTime(expiresAt)}:`)}<p><input type="text" readonly value="${url}" aria-label="the new link" data-select-on-focus class="wide"></p>`

export function sharePage(o: { user: SessionUser; csrf: string; streamers: StreamerStatus[]; links: (ShareLink & { url: string })[] | null }): string {
  const sorted = [...o.streamers].sort((a, b) => a.slug.localeCompare(b.slug))
  return page({
    title: 'share links', user: o.user, csrf: o.csrf, active: '/share',
    body: html`<h1>share links</h1>
<p class="dim">A link shows the streamers you pick, live and read-only, to anyone who has it, without an account. It stops when it expires, when you revoke it, or when you may no longer see those streamers.</p>
${panel('new-title', 'new link', html`<form hx-post="/share" hx-target="#share-result" hx-disable="find button" class="stack">
  <fieldset><legend>streamers (one: its page; several: a view)</legend><div class="checks">${
    sorted.length ? sorted.map((s) => html`<label><input type="checkbox" name="slugs" value="${s.slug}"> ${s.username || s.slug}</label>`) : html`<span class="dim">no streamers to share yet</span>`
  }</div></fieldset>
  <label>title for a view (optional) <input name="title" maxlength="100"></label>
  <label>expires after <select name="expires_in">${EXPIRIES.map(([s, l]) => html`<option value="${s}"${s === 86_400 ? html` selected` : ''}>${l}</option>`)}</select></label>
  <button type="submit">make link</button>
  <div id="share-result" class="result" aria-live="polite"></div>
</form>`)}
${panel('links-title', 'your active links', o.links === null ? html`<p class="error">your links cannot be listed right now</p>` : html`<div class="scroll"><table class="data"><thead><tr><th scope="col">shows</th><th scope="col">link</th><th scope="col">expires</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="share-body">${o.links.map(shareRow)}</tbody></table></div>`)}`,
  })
}
