import type { UpstreamHealth } from '@kickmon/shared/contracts/poller'
import type { SessionUser } from '../clients/auth-client.ts'
import type { HealthReport } from '../health-report.ts'
import { html, type Html } from './html.ts'
import { panel } from './components.ts'
import { fmtAgo, fmtDec, fmtInt } from './format.ts'
import { page } from './layout.ts'

const ok = (good: boolean | null, yes = 'ok', no = 'down') =>
  good === null ? html`<span class="badge off">n/a</span>` : good ? html`<span class="badge live">${yes}</span>` : html`<span class="badge bad">${no}</span>`

function services(r: HealthReport): Html {
  return html`<div class="scroll"><table class="data"><thead><tr><th scope="col">service</th><th scope="col">version</th><th scope="col">up since</th><th scope="col">ready</th><th scope="col">checks</th><th scope="col">requests</th><th scope="col">errors</th><th scope="col">avg</th></tr></thead><tbody>
${r.services.map(
  (s) => html`<tr><td><b>${s.name}</b><br><small class="dim">${s.id}</small></td><td>${s.version}</td><td><small>${s.started ? fmtAgo(s.started) : '–'}</small></td>
<td>${s.readyz ? ok(s.readyz.ok, s.readyz.status, s.readyz.status) : html`<span class="dim">unknown port</span>`}${s.readyz?.error ? html`<br><small class="bad">${s.readyz.error}</small>` : ''}</td>
<td><small>${(s.readyz?.checks ?? []).map((c) => html`<span class="${c.ok ? 'ok' : 'bad'}">${c.name} ${c.ok ? `${c.ms} ms` : c.error ?? 'failed'}</span> `)}</small></td>
<td class="num">${fmtInt(s.requests)}</td><td class="num">${fmtInt(s.errors)}</td><td class="num">${s.avg_ms === null ? '–' : `${fmtDec(s.avg_ms)} ms`}</td></tr>`,
)}
${r.missing.map((m) => html`<tr class="missing"><td><b>${m}</b></td><td colspan="7"><span class="badge bad">not answering $SRV.PING</span></td></tr>`)}
</tbody></table></div>`
}

function upstream(u: UpstreamHealth | null, err?: string): Html {
  if (!u) return html`<p class="error">the poller’s report is unavailable${err ? `: ${err}` : ''}</p>`
  const src = u.sources.api + u.sources.webhook + u.sources.browser || 1
  const pct = (n: number) => `${Math.round((n / src) * 100)}%`
  return html`<dl class="facts">
<dt>poll loop</dt><dd>every ${fmtDec(u.poll.interval_s)} s · ${fmtInt(u.poll.cycles)} cycles · last ${fmtInt(u.poll.last_cycle_ms)} ms · ${fmtInt(u.poll.resolved)}/${fmtInt(u.poll.streamers)} resolved</dd>
<dt>request budget</dt><dd>${fmtDec(u.budget.requests_per_s)} req/s · ${fmtInt(u.budget.waiting)} waiting${u.budget.paused_for_s > 0 ? html` · <b class="bad">paused ${fmtDec(u.budget.paused_for_s)} s</b>` : ''}</dd>
<dt>rate limited (429)</dt><dd class="${u.rate_limited_total ? 'bad' : ''}">${fmtInt(u.rate_limited_total)}</dd>
<dt>data sources</dt><dd>api ${pct(u.sources.api)} · webhook ${pct(u.sources.webhook)} · website (browser) ${pct(u.sources.browser)}</dd>
<dt>webhooks</dt><dd>${u.webhooks.enabled ? 'on' : 'off'} · ${fmtInt(u.webhooks.received)} received · ${fmtInt(u.webhooks.duplicates)} duplicates · lag p50 ${u.webhooks.lag_ms_p50 ?? '–'} ms / p99 ${u.webhooks.lag_ms_p99 ?? '–'} ms · subscriptions ${fmtInt(u.webhooks.subscriptions_alive)}/${fmtInt(u.webhooks.subscriptions_wanted)}</dd>
${u.webhooks.enabled ? html`<dt>dropped by Kick</dt><dd id="subscriptions-dropped" class="${u.webhooks.subscriptions_dropped ? 'bad' : ''}">${fmtInt(u.webhooks.subscriptions_dropped)} re-created${u.webhooks.subscriptions_check_s ? ` · Kick's list checked every ${fmtDec(u.webhooks.subscriptions_check_s / 60)} min` : ''}${u.webhooks.subscriptions_checked_at ? html`, last <time datetime="${u.webhooks.subscriptions_checked_at}" data-relative="ago">${fmtAgo(u.webhooks.subscriptions_checked_at)}</time>` : ''}</dd>` : ''}
<dt>browser fallback</dt><dd>${u.browser.enabled ? (u.browser.running ? 'running' : 'idle') : 'off'}${u.browser.enabled ? ` · ${fmtInt(u.browser.pages)} pages${u.browser.backoff_s > 0 ? ` · backing off ${fmtDec(u.browser.backoff_s)} s` : ''}` : ''}</dd>
</dl>
${u.breakers.length ? html`<div class="scroll"><table class="data"><thead><tr><th scope="col">endpoint</th><th scope="col">breaker</th><th scope="col">retry in</th></tr></thead><tbody>${u.breakers.map((b) => html`<tr><td><code>${b.endpoint}</code></td><td>${ok(b.state === 'closed', b.state, b.state)}</td><td>${b.state === 'closed' ? '–' : `${fmtDec(b.retry_in_s)} s`}</td></tr>`)}</tbody></table></div>` : ''}
${u.requests.length ? html`<details><summary>requests by endpoint and outcome</summary><div class="scroll"><table class="data"><tbody>${u.requests.map((q) => html`<tr><td><code>${q.endpoint}</code></td><td>${q.outcome}</td><td class="num">${fmtInt(q.count)}</td></tr>`)}</tbody></table></div></details>` : ''}`
}

/** The part of /system that refreshes itself every few seconds. */
export function systemReport(r: HealthReport): Html {
  return html`<p class="overall">overall: ${ok(r.status === 'ok', 'ok', r.status)} <small class="dim">as of <time datetime="${r.at}" data-relative="ago">${fmtAgo(r.at)}</time></small></p>
${panel('svc-title', 'services', services(r))}
<div class="two-col">
${panel('nats-title', 'NATS', html`<dl class="facts"><dt>connection</dt><dd>${ok(r.nats.connected, 'connected', 'closed')}</dd><dt>server</dt><dd>${r.nats.server ?? '–'} ${r.nats.version ?? ''}</dd><dt>JetStream</dt><dd>${ok(r.nats.jetstream, 'enabled', 'disabled')}</dd><dt>round trip</dt><dd>${r.nats.rtt_ms === null ? html`<span class="bad">${r.nats.error ?? '–'}</span>` : `${fmtDec(r.nats.rtt_ms)} ms`}</dd></dl>`)}
${panel('pg-title', 'PostgreSQL', html`<dl class="facts"><dt>state</dt><dd>${ok(r.postgres.ok)}</dd><dt>probe</dt><dd>${r.postgres.ms === null ? '–' : `${r.postgres.ms} ms`}</dd><dt>seen by</dt><dd>${r.postgres.reported_by.join(', ') || '–'}</dd>${r.postgres.error ? html`<dt>error</dt><dd class="bad">${r.postgres.error}</dd>` : ''}</dl>`)}
</div>
${panel('up-title', 'Kick upstream (poller)', upstream(r.upstream, r.upstream_error))}`
}

export function systemPage(o: { user: SessionUser; csrf: string; report: HealthReport }): string {
  return page({
    title: 'system', user: o.user, csrf: o.csrf, active: '/system',
    body: html`<h1>system</h1>
<div id="system-report" hx-get="/system/report" hx-trigger="every 5s" hx-swap="innerHTML" aria-live="off">${systemReport(o.report)}</div>`,
  })
}
