import type { ServerWebSocket } from 'bun'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { Logger } from '@kickmon/shared/logger'
import type { AccessCache, Visibility } from '../identity/access.ts'
import { ChunkMemo } from './chunk-memo.ts'
import type { CredentialWatch } from '../identity/credential-watch.ts'
import { compare } from '../views/dashboard-view.ts'
import type { FeedLog } from './feed-log.ts'
import type { Caller } from '../identity/request-auth.ts'
import type { SessionCache } from '../identity/session-cache.ts'
import type { StatusStore } from './status-store.ts'
import { rowDeleted, rowsDeleted, streamerRow, type RowExtras } from '../views/streamer-row.ts'

type Socket = ServerWebSocket<unknown>
type Client = {
  caller: Caller
  /** Streamer-page sockets follow one streamer; dashboard sockets everything visible. */
  only: string | null
  topic: string | null
  /** Rows still to send (the latest version goes out when sent) and rows to delete. */
  queue: Set<string>
  deletes: string[]
  /** The next batch replaces all rows (a full snapshot). */
  reset: boolean
  /** Stops watching the socket's session or key (see identity/credential-watch.ts). */
  unwatch: () => void
}
/** What a non-admin user with open dashboards may see, shared by all their sockets. */
type Watcher = { slugs: Set<string>; sockets: Set<Socket> }

export const ALL = 'all'
const userTopic = (id: number) => `u:${id}`
const slugTopic = (slug: string) => `s:${slug}`
/** Close code telling the page its session (or API key) ended: revoked, expired or idle (no reconnect; app.js goes to /login). */
export const CLOSE_SESSION_ENDED = 4401
/** Rows per message while catching a socket up, and the buffer level we refill below. */
const CHUNK_ROWS = 50
const LOW_WATER = 8 * 1024
/** A burst bigger than this goes out paced per socket rather than as one publish (see `flush`). */
const BURST_ROWS = 40

/**
 * The dashboard's live feed. Each change is rendered once. Changes that arrive together
 * (one NATS read) are sent together: one publish per topic — `all` for admins, one topic per
 * non-admin user (their sockets share it; a reverse index says which users see a streamer),
 * one per streamer for streamer pages — so fan-out to a thousand sockets is a few uWS
 * publishes and subscriptions stay one per socket. Catching a socket up (snapshot, changes
 * since its page, newly visible streamers, a burst like the whole fleet going live) goes out
 * in small chunks paced by that socket's buffer, always the latest version of each row, so
 * a slow client never trips the backpressure limit and never gets a stale row.
 */
export class LiveFeed {
  private clients = new Map<Socket, Client>()
  private watchers = new Map<number, Watcher>()
  private bySlug = new Map<string, Set<number>>()
  /** Each streamer's row, rendered once per change, and catch-up chunks (dropped when unused: chunk-memo.ts). */
  private rows = new ChunkMemo(Infinity)
  private batch = new Map<string, StreamerStatus | null>()
  private flushing = false
  private chunks = new ChunkMemo()
  publish: (topic: string, data: string) => void = () => {}

  constructor(
    private readonly statuses: StatusStore,
    private readonly access: AccessCache,
    sessions: SessionCache,
    private readonly log: Logger,
    private readonly feedLog: FeedLog,
    private readonly extras: RowExtras,
    private readonly watch: CredentialWatch,
  ) {
    for (const s of statuses.all()) feedLog.change(s.slug)
    statuses.onChange((s, slug) => this.changed(s, slug))
    sessions.onAccessChanged((userId) => {
      feedLog.access(userId)
      void this.accessChanged(userId)
    })
  }

  get size() {
    return this.clients.size
  }

  async open(ws: Socket, caller: Caller, opts: { only?: string | null; since?: string | null } = {}) {
    if (ws.readyState !== 1) return // closed while its caller was being checked
    const c: Client = { caller, only: opts.only ?? null, topic: null, queue: new Set(), deletes: [], reset: false, unwatch: () => {} }
    this.clients.set(ws, c)
    // Revoked, expired or idle: the socket ends like a logout (the page goes to /login).
    c.unwatch = this.watch.watch(caller, (reason) => ws.close(CLOSE_SESSION_ENDED, reason))
    let visible: Visibility
    try {
      visible = await this.access.visible(caller)
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot resolve access for a socket; closing it so it retries')
      this.clients.delete(ws)
      c.unwatch()
      return ws.close(1013, 'try again')
    }
    if (!this.clients.has(ws)) return
    this.attach(ws, c, visible)
    const delta = this.feedLog.since(opts.since, caller.user.id)
    if (delta) {
      for (const s of delta.changed) if (this.shows(c, s)) c.queue.add(s)
      // Only rows the page could have had: a delete names the streamer (access is unchanged
      // since the cursor, or the delta would be null, and assignments outlive a removal).
      for (const s of delta.removed) if (this.shows(c, s)) c.deletes.push(s)
    } else this.snapshot(c)
    this.pump(ws, c)
  }

  close(ws: Socket) {
    const c = this.clients.get(ws)
    this.clients.delete(ws)
    c?.unwatch()
    if (!c || c.only || c.topic === ALL) return
    const w = this.watchers.get(c.caller.user.id)
    w?.sockets.delete(ws)
    if (w && w.sockets.size === 0) this.unwatch(c.caller.user.id, w)
  }

  /** The socket's buffer drained: keep catching it up. */
  drain(ws: Socket) {
    const c = this.clients.get(ws)
    if (c) this.pump(ws, c)
  }

  closeAll(code = 1012, reason = 'server restarting') {
    for (const [ws, c] of this.clients) {
      c.unwatch()
      ws.close(code, reason)
    }
    this.clients.clear()
    this.watchers.clear()
    this.bySlug.clear()
  }

  // ------------------------------------------------------------ who sees what

  private shows(c: Client, slug: string): boolean {
    if (c.only) return slug === c.only && c.topic !== null
    if (c.topic === ALL) return true
    return this.watchers.get(c.caller.user.id)?.slugs.has(slug) ?? false
  }

  /** Subscribe the socket to its one topic and register what its user may see. */
  private attach(ws: Socket, c: Client, visible: Visibility) {
    const may = (slug: string) => visible.all || visible.slugs.has(slug)
    const topic = c.only ? (may(c.only) ? slugTopic(c.only) : null) : visible.all ? ALL : userTopic(c.caller.user.id)
    if (c.topic !== topic) {
      if (c.topic) ws.unsubscribe(c.topic)
      if (topic) ws.subscribe(topic)
      c.topic = topic
    }
    if (c.only || visible.all) return
    let w = this.watchers.get(c.caller.user.id)
    if (!w) {
      w = { slugs: new Set(), sockets: new Set() }
      this.watchers.set(c.caller.user.id, w)
      this.setSlugs(c.caller.user.id, w, visible.slugs)
    }
    w.sockets.add(ws)
  }

  private setSlugs(userId: number, w: Watcher, next: Set<string>) {
    for (const s of w.slugs) if (!next.has(s)) this.bySlug.get(s)?.delete(userId)
    for (const s of next) if (!w.slugs.has(s)) (this.bySlug.get(s) ?? this.bySlug.set(s, new Set()).get(s)!).add(userId)
    w.slugs = new Set(next)
  }

  private unwatch(userId: number, w: Watcher) {
    this.setSlugs(userId, w, new Set())
    this.watchers.delete(userId)
  }

  /** A user's role or assignments changed: move their sockets and send only the difference. */
  private async accessChanged(userId: number) {
    const sockets = [...this.clients].filter(([, c]) => c.caller.user.id === userId)
    if (!sockets.length) return
    let visible: Visibility
    try {
      visible = await this.access.visible(sockets[0]![1].caller)
    } catch {
      for (const [ws] of sockets) ws.close(1013, 'try again')
      return
    }
    const w = this.watchers.get(userId)
    const before = w ? new Set(w.slugs) : null
    if (w && !visible.all) this.setSlugs(userId, w, visible.slugs)
    else if (w) this.unwatch(userId, w)
    for (const [ws, c] of sockets) {
      if (!this.clients.has(ws)) continue
      const wasAll = c.topic === ALL
      this.attach(ws, c, visible)
      if (c.only) {
        if (c.topic) c.queue.add(c.only)
        else c.deletes.push(c.only)
      } else if (wasAll || visible.all || !before) this.snapshot(c)
      else {
        for (const s of visible.slugs) if (!before.has(s)) c.queue.add(s)
        for (const s of before) if (!visible.slugs.has(s)) c.deletes.push(s)
      }
      this.pump(ws, c)
    }
  }

  private snapshot(c: Client) {
    c.reset = true
    c.deletes = []
    c.queue = new Set(
      this.statuses.all().filter((s) => this.shows(c, s.slug)).sort(compare('live')).map((s) => s.slug),
    )
  }

  // ------------------------------------------------------------ sending

  /** A row's markup, rendered once per change. */
  private row(slug: string): string | null {
    return this.rows.get(slug, () => {
      const s = this.statuses.get(slug)
      return s ? streamerRow(s, this.extras).value : null
    })
  }

  private upsert(slug: string): string {
    const r = this.row(slug)
    return r ? `${rowDeleted(slug).value}<div hx-swap-oob="beforeend:#rows">${r}</div>` : rowDeleted(slug).value
  }

  private pump(ws: Socket, c: Client) {
    while ((c.reset || c.deletes.length || c.queue.size) && ws.readyState === 1 && ws.getBufferedAmount() < LOW_WATER) {
      const deletes = c.deletes.length ? c.deletes.splice(0, 200) : []
      const take: string[] = []
      for (const s of c.queue) {
        take.push(s)
        c.queue.delete(s)
        if (take.length === CHUNK_ROWS) break
      }
      const reset = c.reset
      c.reset = false
      const out = this.chunks.get(`${reset ? 'R' : ''} ${deletes.join(' ')} | ${take.join(' ')}`, () => {
        let out = deletes.length ? rowsDeleted(deletes) : ''
        if (reset) out += `<div id="rows" hx-swap-oob="innerHTML">${take.map((s) => this.row(s) ?? '').join('')}</div>`
        else if (take.length) {
          // Upserts in bulk (a whole-fleet change is bytes-bound): one delete for the chunk's
          // rows, then one append of their latest versions (a row gone meanwhile only deletes).
          const rows = take.map((s) => this.row(s) ?? '').join('')
          out += rowsDeleted(take) + (rows ? `<div hx-swap-oob="beforeend:#rows">${rows}</div>` : '')
        }
        return out
      })
      if (out) ws.send(out)
    }
  }

  private changed(s: StreamerStatus | null, slug: string) {
    this.rows.delete(slug)
    this.chunks.clear()
    if (s) {
      if (!this.feedLog.known(slug)) this.batch.set(`+${slug}`, s) // new: an upsert, not a replace
      this.feedLog.change(slug)
    } else this.feedLog.remove(slug)
    this.batch.set(slug, s)
    if (!this.flushing) {
      this.flushing = true
      setImmediate(() => this.flush())
    }
  }

  /** Send everything that changed in this turn of the event loop. */
  private flush() {
    this.flushing = false
    const changes = [...this.batch].filter(([k]) => !k.startsWith('+'))
    const added = new Set([...this.batch.keys()].filter((k) => k.startsWith('+')).map((k) => k.slice(1)))
    this.batch.clear()
    if (!changes.length) return

    if (changes.length > BURST_ROWS) {
      // A burst: every socket catches up at its own pace, latest versions only.
      for (const [ws, c] of this.clients) {
        for (const [slug, s] of changes) {
          if (!this.shows(c, slug)) continue // not even a delete: it would name the streamer
          if (s === null) c.deletes.push(slug)
          else c.queue.add(slug)
        }
        this.pump(ws, c)
      }
      return
    }
    const fragment = (slug: string, s: StreamerStatus | null) => {
      if (!s) return rowDeleted(slug).value
      if (added.has(slug)) return this.upsert(slug)
      // The row with hx-swap-oob after its id (readers may rely on the id coming first).
      const r = this.row(slug)!
      const at = r.indexOf('"', 9) + 1
      return `${r.slice(0, at)} hx-swap-oob="true"${r.slice(at)}`
    }
    const perUser = new Map<number, string[]>()
    const all: string[] = []
    for (const [slug, s] of changes) {
      const f = fragment(slug, s)
      all.push(f)
      this.publish(slugTopic(slug), f)
      for (const u of this.bySlug.get(slug) ?? []) (perUser.get(u) ?? perUser.set(u, []).get(u)!).push(f)
    }
    this.publish(ALL, all.join(''))
    for (const [u, fs] of perUser) this.publish(userTopic(u), fs.join(''))
  }
}
