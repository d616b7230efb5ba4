import { headersOf, type Inbox } from './record.ts'

// Slack incoming webhooks as https://api.slack.com/messaging/webhooks documents them: POST a
// JSON {text, blocks?} to /services/T…/B…/…; the answer is the text "ok", or an error code as
// text with 400 (invalid_payload, no_text), 403 (action_prohibited, invalid_token), 404
// (no_service, channel_not_found), 410 (channel_is_archived); 429 with Retry-After past about
// one message a second.

type Hook = { path: string; archived: boolean; deleted: boolean; texts: string[] }

const text = (status: number, body: string, headers: Record<string, string> = {}) => new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } })

export class SlackSim {
  readonly hooks = new Map<string, Hook>()
  force429 = { count: 0, retryAfter: 1 }

  constructor(private readonly inbox: Inbox, private readonly baseUrl: () => string) {}

  createHook() {
    const r = () => crypto.randomUUID().replaceAll('-', '').toUpperCase().slice(0, 11)
    const path = `/services/T${r()}/B${r()}/${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`
    this.hooks.set(path, { path, archived: false, deleted: false, texts: [] })
    return { url: `${this.baseUrl()}${path}` }
  }

  async handle(req: Request, url: URL): Promise<Response | null> {
    if (!url.pathname.startsWith('/services/')) return null
    const h = this.hooks.get(url.pathname)
    const raw = await req.text()
    let body: any
    try {
      body = JSON.parse(raw)
    } catch {
      body = undefined
    }
    const record = (status: number, kind: 'create' | 'other') =>
      this.inbox.add({ provider: 'slack', at: Date.now(), method: req.method, path: '/services/…', target: url.pathname.split('/')[3] ?? '', message_id: null, kind, status, headers: headersOf(req), body: body ?? raw })
    if (req.method !== 'POST') return text(405, 'invalid_request')
    if (!h || h.deleted) {
      record(404, 'other')
      return text(404, 'no_service')
    }
    if (h.archived) {
      record(410, 'other')
      return text(410, 'channel_is_archived')
    }
    if (this.force429.count > 0) {
      this.force429.count--
      record(429, 'other')
      return text(429, 'rate_limited', { 'retry-after': String(this.force429.retryAfter) })
    }
    if (body === undefined || typeof body !== 'object') {
      record(400, 'other')
      return text(400, 'invalid_payload')
    }
    if ((typeof body.text !== 'string' || !body.text) && !Array.isArray(body.blocks)) {
      record(400, 'other')
      return text(400, 'no_text')
    }
    h.texts.push(body.text ?? '')
    record(200, 'create')
    return text(200, 'ok')
  }
}
