import { headersOf, json, type Inbox } from './record.ts'

// The Telegram Bot API as https://core.telegram.org/bots/api documents it: requests to
// /bot<token>/<method> with parameters as JSON, form or query string; every answer is
// {ok: true, result} or {ok: false, error_code, description, parameters?: {retry_after}}.
// sendMessage answers the Message; editMessageText the edited Message, or 400 "message is not
// modified" when nothing changed and "message to edit not found" for an unknown id.

type Msg = { message_id: number; chat_id: string; text: string; date: number; edit_date?: number; edits: number }
type Bot = { id: number; token: string; chats: Set<string>; blocked: Set<string>; messages: Map<string, Msg>; next: number }

const fail = (code: number, description: string, extra: object = {}) => json(code, { ok: false, error_code: code, description, ...extra })

async function params(req: Request, url: URL): Promise<Record<string, unknown> | null> {
  const out: Record<string, unknown> = Object.fromEntries(url.searchParams)
  if (req.method !== 'POST') return out
  const type = req.headers.get('content-type') ?? ''
  const text = await req.text()
  if (!text) return out
  if (type.includes('application/json')) {
    try {
      return { ...out, ...JSON.parse(text) }
    } catch {
      return null
    }
  }
  return { ...out, ...Object.fromEntries(new URLSearchParams(text)) }
}

export class TelegramSim {
  readonly bots = new Map<string, Bot>()
  /** Fault: answer the next n requests 429 with this retry_after (seconds). */
  force429 = { count: 0, retryAfter: 2 }
  private nextBot = 7000000000

  constructor(private readonly inbox: Inbox) {}

  createBot(chatIds: (string | number)[]) {
    const id = this.nextBot++
    const token = `${id}:AA${crypto.randomUUID().replaceAll('-', '').slice(0, 33)}`
    this.bots.set(token, { id, token, chats: new Set(chatIds.map(String)), blocked: new Set(), messages: new Map(), next: 1 })
    return { token, id }
  }

  block(token: string, chatId: string | number) {
    this.bots.get(token)?.blocked.add(String(chatId))
  }

  revoke(token: string) {
    this.bots.delete(token)
  }

  private message(bot: Bot, m: Msg) {
    return {
      message_id: m.message_id,
      from: { id: bot.id, is_bot: true, first_name: 'Kickmon Bot', username: 'kickmon_bot' },
      chat: { id: Number(m.chat_id), type: Number(m.chat_id) < 0 ? 'supergroup' : 'private' },
      date: m.date, text: m.text, ...(m.edit_date ? { edit_date: m.edit_date } : {}),
    }
  }

  async handle(req: Request, url: URL): Promise<Response | null> {
    const m = url.pathname.match(/^\/bot([^/]+)\/(\w+)$/)
    if (!m) return null
    const [, token, method] = m as unknown as [string, string, string]
    const bot = this.bots.get(decodeURIComponent(token))
    const p = await params(req, url)
    const chat = p?.chat_id !== undefined ? String(p.chat_id) : ''
    const record = (status: number, kind: 'create' | 'edit' | 'other', mid: string | null) =>
      this.inbox.add({ provider: 'telegram', at: Date.now(), method: req.method, path: `/bot<token>/${method}`, target: chat, message_id: mid, kind, status, headers: headersOf(req), body: p })
    if (!bot) {
      record(401, 'other', null)
      return fail(401, 'Unauthorized')
    }
    if (p === null) {
      record(400, 'other', null)
      return fail(400, "Bad Request: can't parse JSON")
    }
    if (this.force429.count > 0) {
      this.force429.count--
      record(429, 'other', null)
      return fail(429, `Too Many Requests: retry after ${this.force429.retryAfter}`, { parameters: { retry_after: this.force429.retryAfter } })
    }
    if (method === 'getMe') return json(200, { ok: true, result: { id: bot.id, is_bot: true, first_name: 'Kickmon Bot', username: 'kickmon_bot' } })
    if (method !== 'sendMessage' && method !== 'editMessageText') {
      record(404, 'other', null)
      return fail(404, 'Not Found')
    }
    if (!chat) {
      record(400, 'other', null)
      return fail(400, 'Bad Request: chat_id is empty')
    }
    if (!bot.chats.has(chat)) {
      record(400, 'other', null)
      return fail(400, 'Bad Request: chat not found')
    }
    if (bot.blocked.has(chat)) {
      record(403, 'other', null)
      return fail(403, 'Forbidden: bot was blocked by the user')
    }
    const text = typeof p.text === 'string' ? p.text : ''
    if (!text.trim()) {
      record(400, 'other', null)
      return fail(400, 'Bad Request: message text is empty')
    }
    if (text.length > 4096) {
      record(400, 'other', null)
      return fail(400, 'Bad Request: message is too long')
    }
    if (method === 'sendMessage') {
      const msg: Msg = { message_id: bot.next++, chat_id: chat, text, date: Math.floor(Date.now() / 1000), edits: 0 }
      bot.messages.set(`${chat}:${msg.message_id}`, msg)
      record(200, 'create', String(msg.message_id))
      return json(200, { ok: true, result: this.message(bot, msg) })
    }
    const msg = bot.messages.get(`${chat}:${Number(p.message_id)}`)
    if (!msg) {
      record(400, 'other', String(p.message_id ?? ''))
      return fail(400, 'Bad Request: message to edit not found')
    }
    if (msg.text === text) {
      record(400, 'other', String(msg.message_id))
      return fail(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message')
    }
    msg.text = text
    msg.edits++
    msg.edit_date = Math.floor(Date.now() / 1000)
    record(200, 'edit', String(msg.message_id))
    return json(200, { ok: true, result: this.message(bot, msg) })
  }

  messages() {
    return [...this.bots.values()].flatMap((b) => [...b.messages.values()]).sort((a, b) => b.date - a.date || b.message_id - a.message_id)
  }
}
