import { DiscordSim } from './discord.ts'
import { NtfySim } from './ntfy.ts'
import { page } from './page.ts'
import { headersOf, Inbox, json } from './record.ts'
import { SlackSim } from './slack.ts'
import { TelegramSim } from './telegram.ts'

// Stand-ins for the outside world the notifier talks to (docs/notifications.md): Discord
// webhooks, the Telegram Bot API, ntfy and Slack incoming webhooks, each written from the
// provider's public documentation, plus a plain receiver for signed webhooks. A control API
// under /_sim/ creates webhooks, bots and hooks, injects faults and lists what arrived.

export type NotifySim = ReturnType<typeof createNotifySim>

export function createNotifySim() {
  const inbox = new Inbox()
  let base = ''
  const discord = new DiscordSim(inbox, () => base)
  const telegram = new TelegramSim(inbox)
  const ntfy = new NtfySim(inbox)
  const slack = new SlackSim(inbox, () => base)
  /** Receiver answers: name → status to answer (default 200). */
  const receiverStatus = new Map<string, number>()
  let server: ReturnType<typeof Bun.serve> | null = null

  async function control(req: Request, url: URL): Promise<Response> {
    const p = url.pathname
    const body = req.method === 'POST' || req.method === 'PUT' ? await req.json().catch(() => ({})) : {}
    if (p === '/_sim/discord/webhooks' && req.method === 'POST') return json(200, discord.createWebhook())
    const dm = p.match(/^\/_sim\/discord\/webhooks\/(\d+)$/)
    if (dm && req.method === 'DELETE') return json(discord.deleteWebhook(dm[1]!) ? 200 : 404, { ok: true })
    if (p === '/_sim/discord/messages') return json(200, discord.messages())
    if (p === '/_sim/telegram/bots' && req.method === 'POST') return json(200, telegram.createBot(Array.isArray(body.chat_ids) ? body.chat_ids : [42]))
    if (p === '/_sim/telegram/block' && req.method === 'POST') return json(200, (telegram.block(body.token, body.chat_id), { ok: true }))
    if (p === '/_sim/telegram/messages') return json(200, telegram.messages())
    if (p === '/_sim/ntfy/protect' && req.method === 'POST') return json(200, (ntfy.protectedTopics.set(body.topic, body.token), { ok: true }))
    if (p === '/_sim/ntfy/messages') return json(200, [...ntfy.notes.values()])
    if (p === '/_sim/slack/hooks' && req.method === 'POST') return json(200, slack.createHook())
    if (p === '/_sim/slack/archive' && req.method === 'POST') {
      const h = slack.hooks.get(new URL(body.url).pathname)
      if (h) h.archived = true
      return json(h ? 200 : 404, { ok: !!h })
    }
    if (p === '/_sim/receiver' && req.method === 'PUT') return json(200, (receiverStatus.set(body.name, body.status), { ok: true }))
    if (p === '/_sim/faults' && req.method === 'PUT') {
      if (body.discord_429) discord.force429 = { count: body.discord_429.count, retryAfter: body.discord_429.retry_after }
      if (body.telegram_429) telegram.force429 = { count: body.telegram_429.count, retryAfter: body.telegram_429.retry_after }
      if (body.slack_429) slack.force429 = { count: body.slack_429.count, retryAfter: body.slack_429.retry_after }
      return json(200, { ok: true })
    }
    if (p === '/_sim/received') {
      const provider = url.searchParams.get('provider')
      const since = Number(url.searchParams.get('since') ?? 0)
      return json(200, inbox.items.filter((r) => (!provider || r.provider === provider) && r.seq > since))
    }
    if (p === '/_sim/reset' && req.method === 'POST') return json(200, (inbox.clear(), { ok: true }))
    return json(404, { error: 'unknown control path' })
  }

  async function fetch(req: Request): Promise<Response> {
    const url = new URL(req.url)
    if (url.pathname === '/' && req.method === 'GET') return page(discord, inbox)
    if (url.pathname.startsWith('/_sim/')) {
      const rm = url.pathname.match(/^\/_sim\/receiver\/([\w-]{1,64})$/)
      if (rm && req.method === 'POST') {
        const status = receiverStatus.get(rm[1]!) ?? 200
        inbox.add({ provider: 'receiver', at: Date.now(), method: 'POST', path: url.pathname, target: rm[1]!, message_id: req.headers.get('webhook-id'), kind: 'create', status, headers: headersOf(req), body: await req.text() })
        return new Response(status < 300 ? 'ok' : 'no', { status })
      }
      return control(req, url)
    }
    return (
      (await discord.handle(req, url)) ??
      (await telegram.handle(req, url)) ??
      (await slack.handle(req, url)) ??
      (await ntfy.handle(req, url)) ??
      json(404, { message: '404: Not Found', code: 0 })
    )
  }

  return {
    inbox, discord, telegram, ntfy, slack,
    listen(port = 0, hostname = '127.0.0.1') {
      server = Bun.serve({ port, hostname, fetch })
      base = `http://${hostname}:${server.port}`
      return { url: base, port: server.port! }
    },
    get url() {
      return base
    },
    async stop() {
      await server?.stop(true)
    },
  }
}
