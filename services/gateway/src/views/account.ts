import type { ApiKey, AuthOutput } from '@kickmon/shared/contracts/auth'
import type { SessionUser } from '../clients/auth-client.ts'
import { html, type Html } from './html.ts'
import { panel } from './components.ts'
import { fmtTime } from './format.ts'
import { page } from './layout.ts'

type SessionInfo = AuthOutput<'sessionsList'>['sessions'][number]

/** A short, readable device label from a user agent. */
function device(ua: string | null): string {
  if (!ua) return 'unknown device'
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom(e|ium)\//.test(ua) ? 'Chromium/Chrome' : /Safari\//.test(ua) ? 'Safari' : /curl\//.test(ua) ? 'curl' : ua.slice(0, 40)
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : ''
  return os ? `${browser} on ${os}` : browser
}

export function sessionRow(s: SessionInfo): Html {
  return html`<tr id="sess-${s.session_id.slice(0, 16)}"${s.current ? html` class="current"` : ''}>
<td>${device(s.user_agent)}${s.current ? html` <span class="badge live">this one</span>` : ''}</td>
<td><small>${s.ip ?? '–'}</small></td>
<td><small>${fmtTime(s.created_at)}</small></td>
<td><small>${fmtTime(s.last_seen_at)}</small></td>
<td><button type="button" class="danger" hx-delete="/account/sessions/${s.session_id}" hx-target="#sess-${s.session_id.slice(0, 16)}" hx-swap="delete"${s.current ? html` hx-confirm="End the session you are using? You will be logged out."` : ''}>end</button></td>
</tr>`
}

export function keyRow(k: ApiKey): Html {
  return html`<tr id="key-${k.id}">
<td><b>${k.name}</b></td><td><code>kmk_${k.prefix}_…</code></td><td>${k.scope === 'write' ? html`<span class="badge stale">write</span>` : html`<span class="badge off">read</span>`}</td>
<td><small>${fmtTime(k.created_at)}</small></td><td><small>${k.last_used_at ? fmtTime(k.last_used_at) : 'never'}</small></td>
<td><button type="button" class="danger" hx-delete="/account/api-keys/${k.id}" hx-confirm="Revoke the key “${k.name}”? Anything using it stops working." hx-target="#key-${k.id}" hx-swap="delete">revoke</button></td>
</tr>`
}

export function newKeyShown(key: string, k: ApiKey): Html {
  return html`<div class="notice key-once" role="status"><p>Your new key <b>${k.name}</b> (${k.scope}). Copy it now: it is shown only this once.</p>
<p><input class="key" readonly value="${key}" aria-label="the new API key" data-select-on-focus> </p>
<p class="dim">Use it as <code>Authorization: Bearer ${key.slice(0, 13)}…</code></p></div>
<hx-partial hx-target="#keys-body" hx-swap="afterbegin">${keyRow(k)}</hx-partial>`
}

export function accountPage(o: { user: SessionUser; csrf: string; sessions: SessionInfo[] | null; keys: ApiKey[] | null }): string {
  return page({
    title: 'account', user: o.user, csrf: o.csrf, active: '/account',
    body: html`<h1>account</h1>
<p class="dim">Signed in as <b>${o.user.username}</b>${o.user.display_name ? ` (${o.user.display_name})` : ''}, role <b>${o.user.role}</b>.</p>
<div class="two-col">
${panel('pw-title', 'change password', html`<form hx-post="/account/password" hx-target="#pw-result" class="stack" data-reset-on-success>
  <label>current password <input type="password" name="current_password" required maxlength="1024" autocomplete="current-password"></label>
  <label>new password (8–128 characters) <input type="password" name="new_password" required minlength="8" maxlength="128" autocomplete="new-password"></label>
  <label>new password again <input type="password" name="confirm" required minlength="8" maxlength="128" autocomplete="new-password"></label>
  <button type="submit">change password</button>
  <div id="pw-result" class="result"></div>
</form><p class="dim">Changing it ends your other sessions.</p>`)}
${panel('newkey-title', 'create an API key', html`<form hx-post="/account/api-keys" hx-target="#key-result" class="stack" data-reset-on-success>
  <label>name <input name="name" required maxlength="100" placeholder="e.g. grafana" autocomplete="off"></label>
  <fieldset class="radios"><legend>scope</legend>
    <label><input type="radio" name="scope" value="read" checked> read: look, never change</label>
    <label><input type="radio" name="scope" value="write"> write: may change what your role allows</label>
  </fieldset>
  <button type="submit">create key</button>
  <div id="key-result" class="result"></div>
</form>`)}
</div>
${panel('sessions-title', 'your sessions', o.sessions === null ? html`<p class="error">sessions are unavailable right now</p>` : html`<div class="scroll"><table class="data"><thead><tr><th scope="col">device</th><th scope="col">ip</th><th scope="col">signed in</th><th scope="col">last seen</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="sessions-body">${o.sessions.map(sessionRow)}</tbody></table></div>`)}
${panel('keys-title', 'your API keys', o.keys === null ? html`<p class="error">keys are unavailable right now</p>` : html`<div class="scroll"><table class="data"><thead><tr><th scope="col">name</th><th scope="col">key</th><th scope="col">scope</th><th scope="col">created</th><th scope="col">last used</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="keys-body">${o.keys.map(keyRow)}</tbody></table></div>
${o.keys.length === 0 ? html`<p class="dim" id="no-keys">No keys yet.</p>` : ''}`)}`,
  })
}
