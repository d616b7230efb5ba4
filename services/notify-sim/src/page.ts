import { escapeHtml as e } from '@kickmon/shared/escape-html'
import type { DiscordSim } from './discord.ts'
import type { Inbox } from './record.ts'

// The demo's window on the outside world: what the Discord-style channel received, each
// message as Discord would show it, with how often it was edited. Reloads itself.

const time = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(11, 19) : '')

export function page(discord: DiscordSim, inbox: Inbox): Response {
  const cards = discord.messages().slice(0, 30).map((m) => {
    const embeds = (m.embeds as any[]).map((em) => `
      <div class="embed" style="border-color:#${Number(em?.color ?? 0).toString(16).padStart(6, '0')}">
        <a class="t" href="${e(String(em?.url ?? '#'))}">${e(String(em?.title ?? ''))}</a>
        ${em?.description ? `<p>${e(String(em.description))}</p>` : ''}
        <dl>${((em?.fields ?? []) as any[]).map((f) => `<div><dt>${e(String(f?.name ?? ''))}</dt><dd>${e(String(f?.value ?? ''))}</dd></div>`).join('')}</dl>
        ${em?.footer?.text ? `<small>${e(String(em.footer.text))}</small>` : ''}
      </div>`).join('')
    return `<article class="msg${m.deleted ? ' deleted' : ''}" data-message-id="${e(m.id)}" data-edits="${m.edits}">
      <header><b>${e(m.username ?? 'Kick Streamer Monitor')}</b> <span>${time(m.timestamp)}</span>
      ${m.edits ? `<em>(edited ${m.edits}× · last ${time(m.edited_timestamp)})</em>` : ''}</header>
      ${m.content ? `<p>${e(m.content)}</p>` : ''}${embeds}</article>`
  })
  const log = inbox.items.slice(-20).reverse().map((r) => `<li>${new Date(r.at).toISOString().slice(11, 23)} ${e(r.provider)} ${e(r.method)} ${e(r.path)} → ${r.status} ${e(r.kind)}</li>`)
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Provider simulators: what arrived</title><style>
body{font:14px system-ui,sans-serif;background:#313338;color:#dbdee1;margin:2rem;max-width:60rem}
h1{font-size:1.2rem} .msg{background:#2b2d31;border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}
.msg header span,.msg header em{color:#949ba4;font-size:.8rem;margin-left:.4rem} .deleted{opacity:.4}
.embed{border-left:4px solid;background:#232428;padding:.5rem .8rem;margin-top:.4rem;border-radius:4px}
.embed .t{color:#00a8fc;font-weight:600;text-decoration:none} dl{display:flex;gap:1.5rem;flex-wrap:wrap;margin:.4rem 0}
dt{font-weight:600;font-size:.8rem} dd{margin:0} small{color:#949ba4} ol{color:#949ba4;font:12px monospace}
</style></head><body><h1>Discord-style channel (simulator)</h1>
<p>Messages the notifier posted to the demo webhook, edited in place while a stream runs.</p>
${cards.join('') || '<p><i>Nothing yet: wait for a demo streamer to go live.</i></p>'}
<h2>Last requests (all simulated providers)</h2><ol>${log.join('')}</ol></body></html>`
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } })
}
