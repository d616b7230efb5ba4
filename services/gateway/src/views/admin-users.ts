import type { User } from '@kickmon/shared/contracts/auth'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { SessionUser } from '../clients/auth-client.ts'
import { html, type Html } from './html.ts'
import { panel, roleOptions } from './components.ts'
import { fmtTime } from './format.ts'
import { page } from './layout.ts'

export const USERS_PER_PAGE = 100

/** One user's row; role changes and enable/disable re-render it in place. */
export function userRow(u: User, me: SessionUser): Html {
  const self = u.id === me.id
  return html`<tr id="user-${u.id}"${u.disabled ? html` class="disabled"` : ''}>
<td class="num">${u.id}</td>
<td><b>${u.username}</b>${self ? html` <small class="dim">(you)</small>` : ''}${u.display_name ? html`<br><small class="dim">${u.display_name}</small>` : ''}</td>
<td><label class="sr" for="role-${u.id}">role of ${u.username}</label><select id="role-${u.id}" name="role" hx-patch="/admin/users/${u.id}" hx-target="#user-${u.id}" hx-swap="outerHTML"${self ? html` disabled title="ask another admin to change your role"` : ''}>${roleOptions(u.role)}</select></td>
<td>${u.disabled ? html`<span class="badge stale">disabled</span>` : html`<span class="badge off">active</span>`}</td>
<td><small>${fmtTime(u.created_at)}</small></td>
<td class="actions">
  ${self ? '' : html`<button type="button" class="secondary" hx-patch="/admin/users/${u.id}" hx-vals='{"disabled": "${u.disabled ? 'false' : 'true'}"}' hx-target="#user-${u.id}" hx-swap="outerHTML">${u.disabled ? 'enable' : 'disable'}</button>`}
  ${u.role === 'admin' ? html`<span class="dim" title="admins see every streamer">all streamers</span>` : html`<button type="button" class="secondary" hx-get="/admin/users/${u.id}/streamers" hx-target="#assign-${u.id}" aria-controls="assign-${u.id}">streamers…</button>`}
  ${self ? html`<a href="/account">change your password</a>` : html`<details class="inline"><summary>reset password</summary>
    <form hx-post="/admin/users/${u.id}/password" hx-target="find .result" data-reset-on-success>
      <label>new password for ${u.username} <input type="password" name="password" required minlength="8" maxlength="128" autocomplete="new-password"></label>
      <button type="submit">set</button><span class="result"></span>
    </form>
  </details>`}
  ${self ? '' : html`<button type="button" class="danger" hx-delete="/admin/users/${u.id}" hx-confirm="Delete ${u.username}? Their sessions and API keys end now." hx-target="#user-${u.id}" hx-swap="delete">delete</button>`}
</td>
</tr>`
}

/** Where the assignment editor opens, under the user's row. */
export const assignRow = (u: User, oob = false) =>
  html`<tr class="assign-row" id="assign-row-${u.id}"${oob ? html` hx-swap-oob="delete"` : ''}><td colspan="6" id="assign-${u.id}"></td></tr>`

/** The assignment editor for one user: every monitored streamer as a checkbox, plus paste. */
export function assignEditor(u: User, assigned: string[], all: StreamerStatus[]): Html {
  const mine = new Set(assigned)
  const sorted = [...all].sort((a, b) => a.slug.localeCompare(b.slug))
  return html`<form class="assign" hx-put="/admin/users/${u.id}/streamers" hx-target="find .result">
  <fieldset>
    <legend>streamers ${u.username} may see (<span data-count-checked>${mine.size}</span> of ${all.length})</legend>
    <p class="tools"><input type="search" placeholder="filter" data-filter-checks aria-label="filter streamers"> <button type="button" class="secondary" data-check-all>all shown</button> <button type="button" class="secondary" data-check-none>none shown</button></p>
    <div class="checks">${sorted.map(
      (s) => html`<label><input type="checkbox" name="slugs" value="${s.slug}"${mine.has(s.slug) ? html` checked` : ''}> ${s.username || s.slug}</label>`,
    )}</div>
    <label>and/or paste slugs (one per line, commas or spaces) <textarea name="paste" rows="2" maxlength="200000"></textarea></label>
  </fieldset>
  <button type="submit">save assignments</button> <button type="button" class="secondary" data-close-editor>close</button>
  <span class="result"></span>
</form>`
}

export function adminUsersPage(o: { user: SessionUser; csrf: string; users: User[]; total: number; offset: number; monitored: StreamerStatus[] }): string {
  const pages = Math.ceil(o.total / USERS_PER_PAGE)
  const cur = Math.floor(o.offset / USERS_PER_PAGE)
  const others = o.users.filter((u) => u.role !== 'admin')
  return page({
    title: 'users', user: o.user, csrf: o.csrf, active: '/admin/users',
    body: html`<h1>users</h1>
${panel('create-title', 'create a user', html`<form class="grid-form" hx-post="/admin/users" hx-target="#create-result" data-reset-on-success>
  <label>username <input name="username" required maxlength="64" pattern="[A-Za-z0-9_.\\-]{1,64}" autocomplete="off"></label>
  <label>display name <input name="display_name" maxlength="100" autocomplete="off"></label>
  <label>role <select name="role">${roleOptions('viewer')}</select></label>
  <label>password <input type="password" name="password" required minlength="8" maxlength="128" autocomplete="new-password"></label>
  <button type="submit">+ create</button>
  <div id="create-result" class="result"></div>
</form>`)}
${panel('users-title', `all users (${o.total})`, html`<div class="scroll"><table class="data users">
  <thead><tr><th scope="col">id</th><th scope="col">user</th><th scope="col">role</th><th scope="col">state</th><th scope="col">created</th><th scope="col">actions</th></tr></thead>
  <tbody id="users-body">${o.users.map((u) => [userRow(u, o.user), assignRow(u)])}</tbody>
</table></div>
${pages > 1 ? html`<nav class="pager" aria-label="Pages">${Array.from({ length: pages }, (_, i) => html`<a href="?page=${i + 1}"${i === cur ? html` aria-current="page"` : ''}>${i + 1}</a>`)}</nav>` : ''}`)}
${panel('bulk-title', 'assign in bulk', html`<form class="bulk" hx-post="/admin/users/bulk-assign" hx-target="#bulk-result">
  <fieldset><legend>users (on this page)</legend><div class="checks">${others.length ? others.map((u) => html`<label><input type="checkbox" name="user_ids" value="${u.id}"> ${u.username} <small class="dim">[${u.role}]</small></label>`) : html`<span class="dim">no users or viewers yet</span>`}</div></fieldset>
  <label>streamers (slugs: one per line, commas or spaces; or "*" for every monitored streamer) <textarea name="slugs" rows="3" required maxlength="200000"></textarea></label>
  <fieldset class="radios"><legend>action</legend>
    <label><input type="radio" name="action" value="add" checked> add to their lists</label>
    <label><input type="radio" name="action" value="remove"> remove from their lists</label>
    <label><input type="radio" name="action" value="replace"> replace their lists</label>
  </fieldset>
  <button type="submit">apply</button>
  <div id="bulk-result" class="result"></div>
</form>
<p class="dim">Monitored streamers: ${o.monitored.length}. Admins always see every streamer.</p>`)}`,
  })
}
