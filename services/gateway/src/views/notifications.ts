import type { Channel, ChannelType, Delivery, Rule, TestResult } from '@kickmon/shared/contracts/notifier'
import type { SessionUser } from '../clients/auth-client.ts'
import { html, type Html } from './html.ts'
import { errorBox, notice, panel } from './components.ts'
import { fmtTime } from './format.ts'
import { page } from './layout.ts'

// The /notifications page: channels (a form per type, a test button), rules (with a streamer
// picker and a template preview) and the delivery log, which refreshes itself.

const TYPES: { type: ChannelType; label: string; fields: Html }[] = [
  { type: 'discord', label: 'Discord', fields: html`<label>webhook URL <input name="webhook_url" required placeholder="https://discord.com/api/webhooks/…" autocomplete="off"></label>
    <label>edit the live message at most every (s) <input name="update_every_s" type="number" min="30" value="300"></label>` },
  { type: 'telegram', label: 'Telegram', fields: html`<label>bot token <input name="bot_token" required placeholder="123456789:AA…" autocomplete="off"></label>
    <label>chat id <input name="chat_id" required placeholder="-1001234567890 or @channel"></label>
    <label>Bot API server <input name="api_url" placeholder="https://api.telegram.org"></label>` },
  { type: 'ntfy', label: 'ntfy', fields: html`<label>server <input name="server_url" placeholder="https://ntfy.sh"></label>
    <label>topic <input name="topic" required pattern="[-_A-Za-z0-9]{1,64}"></label>
    <label>access token (optional) <input name="token" autocomplete="off"></label>
    <label>priority (1–5) <input name="priority" type="number" min="1" max="5" value="3"></label>` },
  { type: 'slack', label: 'Slack', fields: html`<label>incoming webhook URL <input name="webhook_url" required placeholder="https://hooks.slack.com/services/…" autocomplete="off"></label>` },
  { type: 'webhook', label: 'signed webhook', fields: html`<label>URL <input name="url" required placeholder="https://example.com/kick-events" autocomplete="off"></label>` },
  { type: 'email', label: 'email', fields: html`<label>to <input name="to" type="email" required></label>` },
]

export function channelRow(c: Channel): Html {
  const summary = Object.entries(c.config).filter(([k]) => k !== 'update_every_s').map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(',') : String(v)}`).join(' · ')
  return html`<tr id="ch-${c.id}" data-channel="${c.name}">
<td><b>${c.name}</b><br><small class="dim">${c.type}</small></td>
<td><small>${summary}</small></td>
<td>${c.broken ? html`<span class="badge off" title="${c.broken_reason ?? ''}">broken</span><br><small class="error">${c.broken_reason ?? ''}</small>` : html`<span class="badge live">ok</span>`}</td>
<td><button type="button" class="secondary" hx-post="/notifications/channels/${c.id}/test" hx-target="#ch-test-${c.id}">test</button>
<button type="button" class="danger secondary" hx-delete="/notifications/channels/${c.id}" hx-confirm="Delete the channel “${c.name}” and its rules?" hx-target="#ch-${c.id}" hx-swap="delete">delete</button>
<div id="ch-test-${c.id}" class="result"></div></td>
</tr>`
}

export function testResult(r: TestResult): Html {
  const answer = r.provider_answer ? html`<pre class="answer">${r.provider_answer.slice(0, 500)}</pre>` : ''
  return r.ok
    ? html`${notice(html`sent: the provider answered ${r.provider_status ?? ''}`)}${answer}`
    : html`${errorBox(html`failed${r.provider_status ? html` (${r.provider_status})` : ''}: ${r.error ?? ''}`)}${answer}`
}

export function channelCreated(c: Channel, secret?: string): Html {
  return html`${notice(html`channel <b>${c.name}</b> added`)}
${secret ? html`<div class="notice key-once" role="status"><p>Signing secret for <b>${c.name}</b>: copy it now, it is shown only this once.</p>
<p><input class="key" readonly value="${secret}" aria-label="the webhook signing secret" data-select-on-focus></p></div>` : ''}
<hx-partial hx-target="#channels-body" hx-swap="beforeend">${channelRow(c)}</hx-partial>
<hx-partial hx-target="#rule-channel" hx-swap="beforeend">${channelOption(c)}</hx-partial>`
}

const channelOption = (c: Channel) => html`<option value="${c.id}">${c.name} (${c.type})</option>`

const events = (r: Rule) => r.events.join(', ')

export function ruleRow(r: Rule, channels: Channel[]): Html {
  const ch = channels.find((c) => c.id === r.channel_id)
  return html`<tr id="rule-${r.id}">
<td>${ch ? ch.name : `#${r.channel_id}`}</td>
<td>${r.streamers === '*' ? html`<i>all my streamers</i>` : r.streamers.join(', ')}</td>
<td>${events(r)}</td>
<td><small>${r.min_viewers ? `≥ ${r.min_viewers} viewers · ` : ''}cooldown ${r.cooldown_s} s${r.template ? ' · own template' : ''}</small></td>
<td><button type="button" class="danger secondary" hx-delete="/notifications/rules/${r.id}" hx-target="#rule-${r.id}" hx-swap="delete">delete</button></td>
</tr>`
}

export function ruleCreated(r: Rule, channels: Channel[]): Html {
  return html`${notice('rule added')}<hx-partial hx-target="#rules-body" hx-swap="beforeend">${ruleRow(r, channels)}</hx-partial>`
}

export function deliveryRows(list: Delivery[], channels: Channel[]): Html {
  if (!list.length) return html`<tr><td colspan="6" class="dim">Nothing sent yet.</td></tr>`
  return html`${list.map((x) => html`<tr class="delivery ${x.status}" data-status="${x.status}">
<td><small>${fmtTime(x.recorded_at)}</small></td>
<td>${channels.find((c) => c.id === x.channel_id)?.name ?? `#${x.channel_id}`}</td>
<td>${x.slug} · ${x.event_type}</td>
<td><span class="badge ${x.status === 'sent' ? 'live' : x.status === 'failed' ? 'off' : 'stale'}">${x.status}</span>${x.attempts > 1 ? html` <small>(${x.attempts} tries)</small>` : ''}</td>
<td><small>${x.provider_status ?? ''} ${x.error ?? ''}${x.note ? html`<br><i>${x.note}</i>` : ''}</small></td>
<td><small class="answer">${(x.provider_answer ?? '').slice(0, 120)}</small></td>
</tr>`)}`
}

export function notificationsPage(o: { user: SessionUser; csrf: string; channels: Channel[] | null; rules: Rule[]; deliveries: Delivery[]; streamers: string[] }): string {
  const channels = o.channels ?? []
  return page({
    title: 'notifications', user: o.user, csrf: o.csrf, active: '/notifications',
    body: html`<h1>notifications</h1>
<p class="dim">Get told when a streamer goes live: add a channel (where messages go), then a rule (what is sent there). See the documentation's notifications page for templates and guarantees.</p>
${o.channels === null ? errorBox('the notifier is not answering right now; try again in a moment') : ''}
${panel('channels-title', 'channels', html`<div class="scroll"><table class="data"><thead><tr><th scope="col">name</th><th scope="col">settings</th><th scope="col">state</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="channels-body">${channels.map(channelRow)}</tbody></table></div>`)}
${panel('add-title', 'add a channel', html`${TYPES.map((t) => html`<details class="channel-form"><summary>${t.label}</summary>
<form hx-post="/notifications/channels" hx-target="#add-result-${t.type}" class="stack" data-reset-on-success>
  <input type="hidden" name="type" value="${t.type}">
  <label>name <input name="name" required maxlength="100" placeholder="e.g. my ${t.label}"></label>
  ${t.fields}
  <button type="submit">add ${t.label} channel</button>
  <div id="add-result-${t.type}" class="result"></div>
</form></details>`)}`)}
${panel('rules-title', 'rules', html`<div class="scroll"><table class="data"><thead><tr><th scope="col">channel</th><th scope="col">streamers</th><th scope="col">events</th><th scope="col">options</th><th scope="col"><span class="sr">actions</span></th></tr></thead>
<tbody id="rules-body">${o.rules.map((r) => ruleRow(r, channels))}</tbody></table></div>
<form hx-post="/notifications/rules" hx-target="#rule-result" class="stack">
  <label>channel <select name="channel_id" id="rule-channel" required>${channels.map(channelOption)}</select></label>
  <fieldset class="picker"><legend>streamers</legend>
    <label><input type="checkbox" name="all" value="1"> all my streamers (also ones added later)</label>
    ${o.streamers.map((s) => html`<label><input type="checkbox" name="streamers" value="${s}"> ${s}</label>`)}
  </fieldset>
  <fieldset class="radios"><legend>events</legend>
    <label><input type="checkbox" name="events" value="online" checked> goes live</label>
    <label><input type="checkbox" name="events" value="offline" checked> stream ends (summary)</label>
    <label><input type="checkbox" name="events" value="title"> title changes</label>
    <label><input type="checkbox" name="events" value="category"> category changes</label>
  </fieldset>
  <label>only from this many viewers (optional) <input name="min_viewers" type="number" min="0"></label>
  <label>quiet for this long after a stream ends (cooldown, s) <input name="cooldown_s" type="number" min="0" max="86400" value="600"></label>
  <label>template (Liquid, optional) <textarea name="template" rows="3" maxlength="4000" placeholder="{{ streamer.username }} is live: {{ stream.title }} {{ streamer.url }}"></textarea></label>
  <p class="buttons"><button type="submit">add rule</button>
  <button type="button" class="secondary" hx-post="/notifications/preview" hx-include="closest form" hx-target="#rule-result">preview template</button></p>
  <div id="rule-result" class="result"></div>
</form>`)}
${panel('log-title', 'delivery log', html`<div class="scroll"><table class="data"><thead><tr><th scope="col">when</th><th scope="col">channel</th><th scope="col">event</th><th scope="col">status</th><th scope="col">error / note</th><th scope="col">provider answer</th></tr></thead>
<tbody id="deliveries-body" hx-get="/notifications/deliveries" hx-trigger="every 2s" hx-swap="innerHTML">${deliveryRows(o.deliveries, channels)}</tbody></table></div>`)}`,
  })
}

/** The streamer page's "notify me": rules covering this streamer, and a one-click rule. */
export function notifyMe(o: { slug: string; channels: Channel[]; rules: Rule[]; message?: Html }): Html {
  const covering = o.rules.filter((r) => r.streamers === '*' || r.streamers.includes(o.slug))
  const name = (id: number) => o.channels.find((c) => c.id === id)?.name ?? `#${id}`
  return html`<div id="notify-me" class="notify-me">${o.message ?? ''}
${covering.length ? html`<p>notifying you via ${covering.map((r, i) => html`${i ? ', ' : ''}<b>${name(r.channel_id)}</b>${r.streamers === '*' ? ' (all streamers)' : html` <button type="button" class="secondary small" hx-delete="/notifications/notify-me/${o.slug}/${r.id}" hx-target="#notify-me" hx-swap="outerHTML">stop</button>`}`)}</p>` : ''}
${o.channels.length
    ? html`<form hx-post="/notifications/notify-me/${o.slug}" hx-target="#notify-me" hx-swap="outerHTML" class="inline">
  <label>notify me via <select name="channel_id">${o.channels.map((c) => html`<option value="${c.id}">${c.name}</option>`)}</select></label>
  <button type="submit">notify me</button></form>`
    : html`<p class="dim"><a href="/notifications">Add a notification channel</a> to be told when this streamer goes live.</p>`}
</div>`
}
