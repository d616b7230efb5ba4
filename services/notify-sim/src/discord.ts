import { headersOf, json, readJson, snowflake, type Inbox } from './record.ts'

// Discord webhooks as https://discord.com/developers/docs/resources/webhook documents them:
// Execute Webhook (POST /webhooks/{id}/{token}; `?wait=true` answers the message, else 204),
// Edit / Delete Webhook Message (…/messages/{message_id}), Delete Webhook with Token.
// Errors are {message, code} (10015 Unknown Webhook, 10008 Unknown Message, 50027 Invalid
// Webhook Token, 50006 empty message, 50035 Invalid Form Body). Rate limits
// (https://discord.com/developers/docs/topics/rate-limits): every answer carries the
// X-RateLimit-* headers of the webhook's bucket; past it, 429 {message, retry_after, global}
// with Retry-After.

type Message = { id: string; content: string; embeds: unknown[]; edits: number; deleted: boolean; timestamp: string; edited_timestamp: string | null; username: string | null }
type Hook = { id: string; token: string; channel_id: string; deleted: boolean; messages: Map<string, Message>; window: number[] }

const BUCKET_LIMIT = 5
const BUCKET_WINDOW_MS = 2000

export class DiscordSim {
  readonly hooks = new Map<string, Hook>()
  /** Fault: answer the next n requests 429 with this retry_after. */
  force429 = { count: 0, retryAfter: 1.5 }

  constructor(private readonly inbox: Inbox, private readonly baseUrl: () => string) {}

  createWebhook() {
    const id = snowflake()
    const token = crypto.randomUUID().replaceAll('-', '') + crypto.randomUUID().replaceAll('-', '')
    this.hooks.set(id, { id, token, channel_id: snowflake(), deleted: false, messages: new Map(), window: [] })
    return { id, token, url: `${this.baseUrl()}/api/webhooks/${id}/${token}` }
  }

  deleteWebhook(id: string) {
    const h = this.hooks.get(id)
    if (h) h.deleted = true
    return !!h
  }

  private rateHeaders(h: Hook) {
    const now = Date.now()
    h.window = h.window.filter((t) => t > now - BUCKET_WINDOW_MS)
    const remaining = Math.max(0, BUCKET_LIMIT - h.window.length)
    const resetAfter = h.window.length ? (h.window[0]! + BUCKET_WINDOW_MS - now) / 1000 : BUCKET_WINDOW_MS / 1000
    return {
      remaining,
      resetAfter,
      headers: {
        'x-ratelimit-limit': String(BUCKET_LIMIT),
        'x-ratelimit-remaining': String(Math.max(0, remaining - 1)),
        'x-ratelimit-reset': ((now + resetAfter * 1000) / 1000).toFixed(3),
        'x-ratelimit-reset-after': resetAfter.toFixed(3),
        'x-ratelimit-bucket': `webhook-${h.id}`,
      },
    }
  }

  private message(h: Hook, m: Message) {
    return {
      id: m.id, type: 0, content: m.content, channel_id: h.channel_id, webhook_id: h.id, embeds: m.embeds, attachments: [], mentions: [],
      author: { id: h.id, username: m.username ?? 'Kick Streamer Monitor', bot: true, discriminator: '0000' },
      timestamp: m.timestamp, edited_timestamp: m.edited_timestamp, tts: false, mention_everyone: false, pinned: false, flags: 0,
    }
  }

  private check(body: any): string | null {
    if (!body || typeof body !== 'object') return null
    if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') return 'content: must be a string'
    if (typeof body.content === 'string' && body.content.length > 2000) return 'content: Must be 2000 or fewer in length.'
    if (body.embeds !== undefined && (!Array.isArray(body.embeds) || body.embeds.length > 10)) return 'embeds: Must be 10 or fewer in length.'
    for (const e of body.embeds ?? []) {
      if (typeof e?.title === 'string' && e.title.length > 256) return 'embeds.0.title: Must be 256 or fewer in length.'
      if (typeof e?.description === 'string' && e.description.length > 4096) return 'embeds.0.description: Must be 4096 or fewer in length.'
      if (Array.isArray(e?.fields) && e.fields.length > 25) return 'embeds.0.fields: Must be 25 or fewer in length.'
    }
    return null
  }

  /** A message's body (create or edit), or Discord's 400 for bad JSON or a bad form, recorded with `refused`. */
  private async readBody(req: Request, headers: Record<string, string>, refused: (body: unknown) => void): Promise<{ ok: true; value: any } | { ok: false; refusal: Response }> {
    const b = await readJson(req)
    if (!b.ok) {
      refused(null)
      return { ok: false, refusal: json(400, { message: 'The request body contains invalid JSON.', code: 50109 }, headers) }
    }
    const bad = this.check(b.value)
    if (bad) {
      refused(b.value)
      return { ok: false, refusal: json(400, { message: 'Invalid Form Body', code: 50035, errors: { _errors: [{ code: 'BASE_TYPE_BAD', message: bad }] } }, headers) }
    }
    return b
  }

  async handle(req: Request, url: URL): Promise<Response | null> {
    const m = url.pathname.match(/^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([\w-]+)(?:\/messages\/(\d+|@original))?\/?$/)
    if (!m) return null
    const [, id, token, messageId] = m as unknown as [string, string, string, string | undefined]
    const h = this.hooks.get(id!)
    const record = (status: number, kind: 'create' | 'edit' | 'delete' | 'other', mid: string | null, body: unknown) =>
      this.inbox.add({ provider: 'discord', at: Date.now(), method: req.method, path: `/api/webhooks/${id}/…${messageId ? `/messages/${messageId}` : ''}`, target: id!, message_id: mid, kind, status, headers: headersOf(req), body })
    if (!h || h.deleted) {
      record(404, 'other', null, null)
      return json(404, { message: 'Unknown Webhook', code: 10015 })
    }
    if (h.token !== token) {
      record(401, 'other', null, null)
      return json(401, { message: 'Invalid Webhook Token', code: 50027 })
    }
    const rate = this.rateHeaders(h)
    if (this.force429.count > 0 || rate.remaining === 0) {
      const retryAfter = this.force429.count > 0 ? this.force429.retryAfter : Math.max(0.001, rate.resetAfter)
      if (this.force429.count > 0) this.force429.count--
      record(429, 'other', null, null)
      return json(429, { message: 'You are being rate limited.', retry_after: Number(retryAfter.toFixed(3)), global: false }, { ...rate.headers, 'x-ratelimit-remaining': '0', 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': 'user' })
    }
    h.window.push(Date.now())

    if (req.method === 'DELETE' && !messageId) {
      h.deleted = true
      record(204, 'other', null, null)
      return new Response(null, { status: 204, headers: rate.headers })
    }
    if (messageId) {
      const msg = h.messages.get(messageId)
      if (!msg || msg.deleted) {
        record(404, 'other', messageId, null)
        return json(404, { message: 'Unknown Message', code: 10008 }, rate.headers)
      }
      if (req.method === 'DELETE') {
        msg.deleted = true
        record(204, 'delete', messageId, null)
        return new Response(null, { status: 204, headers: rate.headers })
      }
      if (req.method === 'GET') return json(200, this.message(h, msg), rate.headers)
      if (req.method !== 'PATCH') return json(405, { message: '405: Method Not Allowed', code: 0 })
      const b = await this.readBody(req, rate.headers, (body) => record(400, 'other', messageId, body))
      if (!b.ok) return b.refusal
      if (b.value.content !== undefined) msg.content = b.value.content ?? ''
      if (b.value.embeds !== undefined) msg.embeds = b.value.embeds ?? []
      msg.edits++
      msg.edited_timestamp = new Date().toISOString()
      record(200, 'edit', messageId, b.value)
      return json(200, this.message(h, msg), rate.headers)
    }
    if (req.method !== 'POST') return json(405, { message: '405: Method Not Allowed', code: 0 })
    const b = await this.readBody(req, rate.headers, (body) => record(400, 'other', null, body))
    if (!b.ok) return b.refusal
    const content = typeof b.value.content === 'string' ? b.value.content : ''
    const embeds = Array.isArray(b.value.embeds) ? b.value.embeds : []
    if (!content && !embeds.length) {
      record(400, 'other', null, b.value)
      return json(400, { message: 'Cannot send an empty message', code: 50006 }, rate.headers)
    }
    const msg: Message = { id: snowflake(), content, embeds, edits: 0, deleted: false, timestamp: new Date().toISOString(), edited_timestamp: null, username: typeof b.value.username === 'string' ? b.value.username : null }
    h.messages.set(msg.id, msg)
    record(url.searchParams.get('wait') === 'true' ? 200 : 204, 'create', msg.id, b.value)
    if (url.searchParams.get('wait') === 'true') return json(200, this.message(h, msg), rate.headers)
    return new Response(null, { status: 204, headers: rate.headers })
  }

  /** Every live message, newest first, for the page and the tests. */
  messages() {
    return [...this.hooks.values()].flatMap((h) => [...h.messages.values()].map((m) => ({ webhook_id: h.id, ...m }))).sort((a, b) => b.timestamp.localeCompare(a.timestamp))
  }
}
