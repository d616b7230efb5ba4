import type { ServerWebSocket } from 'bun'
import type { StreamerStatus } from '@kickmon/shared/contracts'
import type { Logger } from '@kickmon/shared/logger'
import type { AccessCache } from './access.ts'
import type { VerifiedSession } from './auth-client.ts'
import type { SessionCache } from './session-cache.ts'
import type { StatusStore } from './status-store.ts'
import { html } from './html.ts'
import { rowAppended, rowDeleted, rowsSnapshot, streamerRow } from './views/streamer-row.ts'

type Socket = ServerWebSocket<unknown>
type Client = { session: VerifiedSession; topics: Set<string> }

export const ALL = 'all'
const topicOf = (slug: string) => `s:${slug}`
/** Close code telling the page its session ended (no reconnect; app.js goes to /login). */
export const CLOSE_SESSION_ENDED = 4401

/**
 * The dashboard's live feed. Each change is rendered once and published to a topic per
 * streamer (plus `all` for admins), so fan-out to a thousand sockets is one uWS publish.
 */
export class LiveFeed {
  private clients = new Map<Socket, Client>()
  private known = new Set<string>()
  publish: (topic: string, data: string) => void = () => {}

  constructor(
    private readonly statuses: StatusStore,
    private readonly access: AccessCache,
    sessions: SessionCache,
    private readonly log: Logger,
  ) {
    for (const s of statuses.all()) this.known.add(s.slug)
    statuses.onChange((s, slug) => this.changed(s, slug))
    sessions.onRevoked((ids, userId) => {
      const gone = new Set(ids)
      for (const [ws, c] of this.clients)
        if (gone.has(c.session.session_id) || (userId !== null && c.session.user.id === userId && ids.length === 0)) ws.close(CLOSE_SESSION_ENDED, 'session ended')
    })
    sessions.onAccessChanged((userId) => {
      for (const [ws, c] of this.clients) if (c.session.user.id === userId) void this.resubscribe(ws, c)
    })
  }

  get size() {
    return this.clients.size
  }

  async open(ws: Socket, session: VerifiedSession) {
    const client: Client = { session, topics: new Set() }
    this.clients.set(ws, client)
    await this.resubscribe(ws, client)
  }

  close(ws: Socket) {
    this.clients.delete(ws)
  }

  /** (Re)compute what this socket may see, subscribe to it and send a full snapshot. */
  private async resubscribe(ws: Socket, c: Client) {
    let visible
    try {
      visible = await this.access.visible(c.session)
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot resolve access for a socket; closing it so it retries')
      return ws.close(1013, 'try again')
    }
    const want = visible.all ? new Set([ALL]) : new Set([...visible.slugs].map(topicOf))
    for (const t of c.topics) if (!want.has(t)) ws.unsubscribe(t)
    for (const t of want) if (!c.topics.has(t)) ws.subscribe(t)
    c.topics = want
    const list = visible.all ? this.statuses.all() : this.statuses.all().filter((s) => visible.slugs.has(s.slug))
    ws.send(html`${rowsSnapshot(list)}<span id="count-total" hx-swap-oob="true">${list.length}</span>`.toString())
  }

  private changed(s: StreamerStatus | null, slug: string) {
    let fragment: string
    if (!s) {
      this.known.delete(slug)
      fragment = rowDeleted(slug).toString()
    } else if (!this.known.has(slug)) {
      this.known.add(slug)
      fragment = rowAppended(s).toString()
    } else fragment = streamerRow(s, true).toString()
    this.publish(ALL, fragment)
    this.publish(topicOf(slug), fragment)
  }

  closeAll(code = 1012, reason = 'server restarting') {
    for (const ws of this.clients.keys()) ws.close(code, reason)
    this.clients.clear()
  }
}
