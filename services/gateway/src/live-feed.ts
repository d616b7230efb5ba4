import type { ServerWebSocket } from 'bun'
import type { StreamerStatus } from '@kickmon/shared/contracts'
import type { Logger } from '@kickmon/shared/logger'
import type { AccessCache } from './access.ts'
import { compare } from './dashboard-view.ts'
import type { FeedLog } from './feed-log.ts'
import type { Caller } from './request-auth.ts'
import type { SessionCache } from './session-cache.ts'
import type { StatusStore } from './status-store.ts'
import { rowDeleted, rowUpsert, streamerRow, type RowExtras } from './views/streamer-row.ts'

type Socket = ServerWebSocket<unknown>
type Client = {
  caller: Caller
  /** Streamer page sockets follow one streamer; dashboard sockets everything visible. */
  only: string | null
  topics: Set<string>
  /** Rows still to send (rendered when sent, so they are never stale) and rows to delete. */
  queue: string[]
  deletes: string[]
  /** The next batch replaces all rows (a full snapshot). */
  reset: boolean
}

export const ALL = 'all'
const topicOf = (slug: string) => `s:${slug}`
/** Close code telling the page its session ended (no reconnect; app.js goes to /login). */
export const CLOSE_SESSION_ENDED = 4401
/** Rows per message while catching a socket up, and the buffer level we refill below. */
const CHUNK_ROWS = 20
const LOW_WATER = 16 * 1024

/**
 * The dashboard's live feed. Each change is rendered once and published to a topic per
 * streamer (plus `all` for admins), so fan-out to a thousand sockets is one uWS publish.
 * Catching a socket up (snapshot, changes since its page, newly assigned streamers) goes out
 * in small chunks paced by the socket's buffer, so a slow client never trips the
 * backpressure limit with one huge message.
 */
export class LiveFeed {
  private clients = new Map<Socket, Client>()
  publish: (topic: string, data: string) => void = () => {}

  constructor(
    private readonly statuses: StatusStore,
    private readonly access: AccessCache,
    sessions: SessionCache,
    private readonly log: Logger,
    private readonly feedLog: FeedLog,
    private readonly extras: RowExtras,
  ) {
    for (const s of statuses.all()) feedLog.change(s.slug)
    statuses.onChange((s, slug) => this.changed(s, slug))
    sessions.onRevoked((ev) => {
      const gone = new Set(ev.session_ids)
      const userGone = ev.reason === 'user_disabled' || ev.reason === 'user_deleted'
      for (const [ws, c] of this.clients) {
        const ended = c.caller.sessionId ? gone.has(c.caller.sessionId) : userGone && c.caller.user.id === ev.user_id
        if (ended) ws.close(CLOSE_SESSION_ENDED, 'session ended')
      }
    })
    sessions.onAccessChanged((userId) => {
      feedLog.access(userId)
      for (const [ws, c] of this.clients) if (c.caller.user.id === userId) void this.resubscribe(ws, c, { accessChanged: true })
    })
  }

  get size() {
    return this.clients.size
  }

  async open(ws: Socket, caller: Caller, opts: { only?: string | null; since?: string | null } = {}) {
    const client: Client = { caller, only: opts.only ?? null, topics: new Set(), queue: [], deletes: [], reset: false }
    this.clients.set(ws, client)
    await this.resubscribe(ws, client, { since: opts.since ?? null })
  }

  close(ws: Socket) {
    this.clients.delete(ws)
  }

  /** The socket's buffer drained: keep catching it up. */
  drain(ws: Socket) {
    const c = this.clients.get(ws)
    if (c) this.pump(ws, c)
  }

  /** (Re)compute what this socket may see, subscribe to it and queue what it is missing. */
  private async resubscribe(ws: Socket, c: Client, o: { since?: string | null; accessChanged?: boolean }) {
    let visible
    try {
      visible = await this.access.visible(c.caller)
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot resolve access for a socket; closing it so it retries')
      return ws.close(1013, 'try again')
    }
    if (!this.clients.has(ws)) return
    const may = (slug: string) => visible.all || visible.slugs.has(slug)
    const want = c.only ? new Set(may(c.only) ? [topicOf(c.only)] : []) : visible.all ? new Set([ALL]) : new Set([...visible.slugs].map(topicOf))
    const before = c.topics
    for (const t of before) if (!want.has(t)) ws.unsubscribe(t)
    for (const t of want) if (!before.has(t)) ws.subscribe(t)
    c.topics = want
    const shown = (slug: string) => (c.only ? slug === c.only : true) && may(slug)

    const delta = o.accessChanged ? null : this.feedLog.since(o.since, c.caller.user.id)
    if (delta) {
      c.queue.push(...delta.changed.filter((s) => shown(s)))
      c.deletes.push(...delta.removed)
    } else if (o.accessChanged && !before.has(ALL) && !want.has(ALL)) {
      // Only the difference: rows newly visible are added, rows no longer visible removed.
      for (const t of want) if (!before.has(t)) c.queue.push(t.slice(2))
      for (const t of before) if (!want.has(t)) c.deletes.push(t.slice(2))
    } else {
      c.reset = true
      c.deletes = []
      const list = this.statuses.all().filter((s) => shown(s.slug)).sort(compare('live'))
      c.queue = list.map((s) => s.slug)
    }
    this.pump(ws, c)
  }

  private pump(ws: Socket, c: Client) {
    while ((c.reset || c.deletes.length || c.queue.length) && ws.readyState === 1 && ws.getBufferedAmount() < LOW_WATER) {
      let out = ''
      if (c.deletes.length) out += c.deletes.splice(0, 200).map((s) => rowDeleted(s).value).join('')
      const rows = c.queue.splice(0, CHUNK_ROWS).map((s) => this.statuses.get(s)).filter((s): s is StreamerStatus => !!s)
      if (c.reset) {
        out += `<div id="rows" hx-swap-oob="innerHTML">${rows.map((s) => streamerRow(s, this.extras).value).join('')}</div>`
        c.reset = false
      } else out += rows.map((s) => rowUpsert(s, this.extras).value).join('')
      if (out) ws.send(out)
    }
  }

  private changed(s: StreamerStatus | null, slug: string) {
    let fragment: string
    if (!s) {
      this.feedLog.remove(slug)
      fragment = rowDeleted(slug).value
    } else {
      const isNew = !this.feedLog.known(slug)
      this.feedLog.change(slug)
      fragment = isNew ? rowUpsert(s, this.extras).value : streamerRow(s, this.extras, { oob: true }).value
    }
    this.publish(ALL, fragment)
    this.publish(topicOf(slug), fragment)
  }

  closeAll(code = 1012, reason = 'server restarting') {
    for (const ws of this.clients.keys()) ws.close(code, reason)
    this.clients.clear()
  }
}
