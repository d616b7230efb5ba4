import { headersOf, json, type Inbox } from './record.ts'

// ntfy publishing as https://docs.ntfy.sh/publish/ documents it: PUT/POST /<topic> with the
// message as body and options as headers (Title/X-Title/t, Priority/X-Priority/p, Tags/X-Tags/ta,
// Click/X-Click, X-Sequence-ID/sid), POST /<topic>/<sequence_id>, or JSON to / with
// {topic, message, title, tags, priority, click, sequence_id}. The answer is the message
// ({id, time, expires, event: "message", topic, …}). A message with a sequence id already seen
// in the topic updates that notification. Errors are {code, http, error}.

type Note = { id: string; time: number; topic: string; message: string; title?: string; priority?: number; tags?: string[]; click?: string; sequence_id: string; updates: number }

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/
const PRIORITIES: Record<string, number> = { '1': 1, min: 1, '2': 2, low: 2, '3': 3, default: 3, '4': 4, high: 4, '5': 5, max: 5, urgent: 5 }
const err = (http: number, code: number, error: string) => json(http, { code, http, error })
const pick = (h: Headers, ...names: string[]) => names.map((n) => h.get(n)).find((v) => v !== null) ?? undefined

/** Header values may be RFC 2047 encoded words (=?UTF-8?B?…?=), as ntfy accepts. */
function decodeWord(v: string | undefined): string | undefined {
  const m = v?.match(/^=\?UTF-8\?([BQ])\?(.*)\?=$/i)
  if (!m) return v
  return m[1]!.toUpperCase() === 'B' ? Buffer.from(m[2]!, 'base64').toString('utf8') : m[2]!.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)))
}

export class NtfySim {
  readonly notes = new Map<string, Note>() // by topic + sequence id
  /** Topics that need `Authorization: Bearer <token>` (ntfy's access control). */
  readonly protectedTopics = new Map<string, string>()
  private n = 0

  constructor(private readonly inbox: Inbox) {}

  async handle(req: Request, url: URL): Promise<Response | null> {
    if (req.method !== 'POST' && req.method !== 'PUT') return null
    const parts = url.pathname.split('/').filter(Boolean)
    let topic: string | undefined
    let message: string
    let opts: { title?: string; priority?: number; tags?: string[]; click?: string; sequence_id?: string } = {}
    if (parts.length === 0) {
      let b: any
      try {
        b = JSON.parse(await req.text())
      } catch {
        return err(400, 40017, 'invalid request: request body must be message JSON')
      }
      topic = b.topic
      message = typeof b.message === 'string' && b.message ? b.message : 'triggered'
      opts = { title: b.title, priority: b.priority, tags: b.tags, click: b.click, sequence_id: b.sequence_id }
    } else if (parts.length <= 2 && !parts[0]!.startsWith('_')) {
      // ntfy routes only /<topic>[/<sequence id>] with a valid topic; anything else is no page at all.
      if (!TOPIC.test(parts[0]!)) return err(404, 40401, 'page not found')
      topic = parts[0]
      message = (await req.text()) || 'triggered'
      const h = req.headers
      const pr = pick(h, 'x-priority', 'priority', 'prio', 'p')
      const tags = pick(h, 'x-tags', 'tags', 'tag', 'ta')
      opts = {
        title: decodeWord(pick(h, 'x-title', 'title', 't')),
        priority: pr === undefined ? undefined : PRIORITIES[pr.toLowerCase()] ?? -1,
        tags: tags ? tags.split(',').map((t) => t.trim()).filter(Boolean) : undefined,
        click: pick(h, 'x-click', 'click'),
        sequence_id: parts[1] ?? pick(h, 'x-sequence-id', 'sequence-id', 'sid'),
      }
    } else return null
    const record = (status: number, kind: 'create' | 'edit' | 'other', id: string | null) =>
      this.inbox.add({ provider: 'ntfy', at: Date.now(), method: req.method, path: `/${topic ?? ''}`, target: topic ?? '', message_id: id, kind, status, headers: headersOf(req), body: { message, ...opts } })
    if (!topic || !TOPIC.test(topic)) {
      record(400, 'other', null)
      return err(400, 40010, 'invalid request: topic invalid')
    }
    if (opts.priority === -1) {
      record(400, 'other', null)
      return err(400, 40007, 'invalid priority')
    }
    if (opts.sequence_id !== undefined && !TOPIC.test(opts.sequence_id)) {
      record(400, 'other', null)
      return err(400, 40049, 'invalid request: sequence ID invalid')
    }
    const need = this.protectedTopics.get(topic)
    if (need) {
      const auth = req.headers.get('authorization')
      if (!auth) {
        record(403, 'other', null)
        return err(403, 40301, 'forbidden')
      }
      if (auth !== `Bearer ${need}`) {
        record(401, 'other', null)
        return err(401, 40101, 'unauthorized')
      }
    }
    const id = `${Date.now().toString(36)}${(this.n++).toString(36)}`.slice(-12).padStart(12, 'x')
    const seq = opts.sequence_id ?? id
    const key = `${topic}/${seq}`
    const prev = this.notes.get(key)
    const note: Note = { id, time: Math.floor(Date.now() / 1000), topic, message, ...opts, sequence_id: seq, updates: prev ? prev.updates + 1 : 0 }
    this.notes.set(key, note)
    record(200, prev ? 'edit' : 'create', seq)
    return json(200, { id, time: note.time, expires: note.time + 43200, event: 'message', topic, message, ...(opts.title ? { title: opts.title } : {}), ...(opts.priority ? { priority: opts.priority } : {}), ...(opts.tags ? { tags: opts.tags } : {}), ...(opts.click ? { click: opts.click } : {}), sequence_id: seq })
  }
}
