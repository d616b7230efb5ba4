import type { StatusPage } from '@kickmon/shared/contracts/public'
import type { SessionUser } from '../clients/auth-client.ts'
import { html, type Html } from './html.ts'
import { panel } from './components.ts'
import { page } from './layout.ts'

// /admin/pages: define the public status pages, with the snippets to embed them.

const check = (name: string, label: string, on: boolean) =>
  html`<label class="check"><input type="checkbox" name="${name}" value="1"${on ? html` checked` : ''}> ${label}</label>`

export function pageForm(p: StatusPage | null): Html {
  return html`<form hx-post="/admin/pages" hx-target="#page-result" hx-disable="find button" class="stack">
  ${p ? html`<input type="hidden" name="editing" value="${p.slug}">` : ''}
  <label>address /p/… <input name="slug" required maxlength="63" pattern="[a-z0-9][a-z0-9-]*" value="${p?.slug ?? ''}"${p ? html` readonly` : ''} placeholder="our-team" autocomplete="off"></label>
  <label>title <input name="title" required maxlength="100" value="${p?.title ?? ''}"></label>
  <label>description (optional) <input name="description" maxlength="500" value="${p?.description ?? ''}"></label>
  <label>streamers: monitored slugs, one per line or separated by commas (at most 100, shown in this order) <textarea name="streamers" rows="4" required>${p?.streamers.join('\n') ?? ''}</textarea></label>
  ${check('show_viewers', 'show viewer counts', p?.show_viewers ?? true)}
  ${check('show_history', 'show each streamer’s last stream', p?.show_history ?? true)}
  <label>sites that may embed it (origins such as https://example.com, one per line; * for any; empty: none) <textarea name="embed_origins" rows="2">${p?.embed_origins.join('\n') ?? ''}</textarea></label>
  <button type="submit">${p ? 'save changes' : '+ create page'}</button>
  <div id="page-result" class="result" aria-live="polite"></div>
</form>`
}

/** What to paste into a website or a README. */
export function snippets(origin: string, p: StatusPage): Html {
  const embed = `<iframe src="${origin}/p/${p.slug}/embed" title="${p.title}" width="100%" height="${120 + 40 * p.streamers.length}" style="border:0"></iframe>`
  const first = p.streamers[0] ?? 'slug'
  const badge = `[![${first} on Kick](${origin}/badge/${first}.svg)](${origin}/p/${p.slug})`
  return html`<details><summary>embed and badge snippets</summary>
<p><small>iframe${p.embed_origins.length ? '' : ' (add the site under “sites that may embed it” first)'}:</small></p><pre><code>${embed}</code></pre>
<p><small>badge (Markdown):</small></p><pre><code>${badge}</code></pre></details>`
}

export function pageRow(origin: string, p: StatusPage): Html {
  return html`<tr id="page-${p.slug}">
<td><a href="/p/${p.slug}">/p/${p.slug}</a></td><td>${p.title}</td><td class="num">${p.streamers.length}</td>
<td><small>${[p.show_viewers ? 'viewers' : '', p.show_history ? 'last stream' : ''].filter(Boolean).join(', ') || '–'}</small></td>
<td><small>${p.embed_origins.join(' ') || 'none'}</small></td>
<td><a href="/admin/pages?edit=${p.slug}#form-title">edit</a> <button type="button" class="danger" hx-delete="/admin/pages/${p.slug}" hx-confirm="Delete the page /p/${p.slug}? Its address stops working at once." hx-target="#page-${p.slug}" hx-swap="delete">delete</button></td>
</tr><tr><td colspan="6">${snippets(origin, p)}</td></tr>`
}

export function adminPagesPage(o: { user: SessionUser; csrf: string; origin: string; pages: StatusPage[]; editing: StatusPage | null }): string {
  return page({
    title: 'status pages', user: o.user, csrf: o.csrf, active: '/admin/pages',
    body: html`<h1>public status pages</h1>
<p class="dim">Anyone can open these without an account: the page, its <code>.json</code>, its <code>/embed</code> and the badges of its streamers. They show only the streamers listed, and only what you tick.</p>
${panel('form-title', o.editing ? `edit /p/${o.editing.slug}` : 'new page', pageForm(o.editing))}
${panel('pages-title', `pages (${o.pages.length})`, html`<div class="scroll"><table class="data"><thead><tr><th scope="col">address</th><th scope="col">title</th><th scope="col">streamers</th><th scope="col">shows</th><th scope="col">embeddable on</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="pages-body">${o.pages.map((p) => pageRow(o.origin, p))}</tbody></table></div>`)}`,
  })
}
