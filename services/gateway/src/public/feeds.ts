import type { ServerWebSocket } from 'bun'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { isAppError } from '@kickmon/shared/errors'
import type { Logger } from '@kickmon/shared/logger'
import { ShareLinksRevokedEvent, targetSlugs, type ShareTarget } from '@kickmon/shared/contracts/public'
import type { NatsConnection } from '@nats-io/transport-node'
import { subjects } from '@kickmon/shared/contracts/names'
import type { SessionCache } from '../identity/session-cache.ts'
import type { StatusStore } from '../live/status-store.ts'
import { liveCount, publicRow } from '../views/public-page.ts'
import type { PublicAuthClient } from './auth-client.ts'
import { pageTopic, type PublicPages } from './pages.ts'
import type { PublicRateLimit } from './rate-limit.ts'

type Socket = ServerWebSocket<unknown>
type PageClient = { kind: 'page'; page: string; ip: string | undefined }
type ShareClient = { kind: 'share'; id: string; userId: number; slugs: string[]; ip: string | undefined; timer: Timer | null }

/** The feed is over for good (page deleted, link expired): htmx does not reconnect on it. */
export const CLOSE_GONE = 4410
const RECHECK_MS = 60_000
const ENDED = (text: string) => `<div id="p-rows" hx-swap-oob="innerHTML"><p class="expired">${text}</p></div>`

/**
 * Live feeds for people without an account, read-only (anything a client sends is ignored)
 * and without cookies. A status page's viewers all share its topic (PublicPages publishes one
 * fragment per change for all of them). A share link's feed is checked with auth again
 * whenever its link is revoked or its creator's access changes, and every minute, and ends
 * when the link does.
 */
export class PublicFeeds {
  private clients = new Map<Socket, PageClient | ShareClient>()
  /** The share feeds alone: a status change looks only at these (page viewers share topics). */
  private shares = new Map<Socket, ShareClient>()
  private timer: Timer
  private rowOptions

  constructor(
    private readonly pages: PublicPages,
    private readonly statuses: StatusStore,
    private readonly auth: PublicAuthClient,
    private readonly limit: PublicRateLimit,
    private readonly log: Logger,
    kickUrl: string,
  ) {
    this.rowOptions = { viewers: true, history: true, kickUrl }
    pages.onPageChanged((slug, page) => {
      if (!page) this.endWhere((c) => c.kind === 'page' && c.page === slug, 'This page no longer exists.')
    })
    statuses.onChange((s, slug) => this.streamerChanged(s, slug))
    this.timer = setInterval(() => void this.recheckAll(), RECHECK_MS)
  }

  get size() {
    return this.clients.size
  }

  /** Revocations and access changes from auth (the creator's role, assignments, deletion). */
  listen(nc: NatsConnection, sessions: SessionCache) {
    nc.subscribe(subjects.shareLinksRevoked, {
      callback: (err, msg) => {
        if (err) return
        const ev = ShareLinksRevokedEvent.safeParse((() => { try { return msg.json() } catch { return null } })())
        if (ev.success) this.endWhere((c) => c.kind === 'share' && ev.data.ids.includes(c.id), 'This link has expired.')
      },
    })
    sessions.onAccessChanged((userId) => void this.recheckUser(userId))
    sessions.onRevoked((ev) => void this.recheckUser(ev.user_id))
  }

  async openPage(ws: Socket, page: string, ip: string | undefined) {
    if (ws.readyState !== 1) return
    if (!this.limit.openSocket(ip)) return ws.close(1013, 'too many live feeds from this address')
    this.clients.set(ws, { kind: 'page', page, ip })
    ws.subscribe(pageTopic(page))
    // A change landing while the snapshot is made would reach this socket before a stale
    // snapshot: make it again then (fragments and snapshots both carry the latest rows).
    for (let attempt = 0; attempt < 3; attempt++) {
      const gen = this.pages.generation(page)
      const r = await this.pages.render(page)?.catch(() => null)
      if (!r) return ws.close(1013, 'try again')
      if (ws.readyState !== 1) return
      ws.send(r.snapshot)
      if (this.pages.generation(page) === gen) return
    }
  }

  openShare(ws: Socket, link: { id: string; user_id: number; target: ShareTarget; expires_at: string }, ip: string | undefined) {
    if (ws.readyState !== 1) return
    if (!this.limit.openSocket(ip)) return ws.close(1013, 'too many live feeds from this address')
    const c: ShareClient = { kind: 'share', id: link.id, userId: link.user_id, slugs: targetSlugs(link.target), ip, timer: null }
    const ms = Date.parse(link.expires_at) - Date.now()
    c.timer = setTimeout(() => this.end(ws, 'This link has expired.'), Math.max(0, Math.min(ms, 2 ** 31 - 1)))
    this.clients.set(ws, c)
    this.shares.set(ws, c)
    void this.shareSnapshot(ws, c)
  }

  close(ws: Socket) {
    const c = this.clients.get(ws)
    if (!c) return
    this.clients.delete(ws)
    this.shares.delete(ws)
    if (c.kind === 'share' && c.timer) clearTimeout(c.timer)
    this.limit.closeSocket(c.ip)
  }

  closeAll(code = 1012, reason = 'server restarting') {
    clearInterval(this.timer)
    for (const ws of [...this.clients.keys()]) {
      this.close(ws)
      ws.close(code, reason)
    }
  }

  // ------------------------------------------------------------ share links

  private shareList(c: ShareClient): StreamerStatus[] {
    return c.slugs.map((s) => this.statuses.get(s)).filter((s): s is StreamerStatus => !!s)
  }

  async shareRows(list: StreamerStatus[], oob = false): Promise<string> {
    const lasts = await Promise.all(list.map((s) => this.pages.lastStream(s.slug, s)))
    return list.map((s, i) => publicRow(s, this.rowOptions, lasts[i], oob)).join('')
  }

  private async shareSnapshot(ws: Socket, c: ShareClient) {
    const list = this.shareList(c)
    const rows = await this.shareRows(list)
    if (ws.readyState === 1 && this.clients.has(ws)) ws.send(`<div id="p-rows" hx-swap-oob="innerHTML">${rows}</div>${liveCount(list, true)}`)
  }

  /** Share feeds are few: each gets its own message (its count is its own). */
  private streamerChanged(s: StreamerStatus | null, slug: string) {
    for (const [ws, c] of this.shares) {
      if (!c.slugs.includes(slug)) continue
      const list = this.shareList(c)
      // Appeared or vanished: the whole list; otherwise the one row.
      if (!s) void this.shareSnapshot(ws, c)
      else void this.shareRows([s], true).then((row) => ws.readyState === 1 && ws.send(row + liveCount(list, true)))
    }
  }

  private async recheckUser(userId: number) {
    const ids = new Set([...this.shares.values()].flatMap((c) => (c.userId === userId ? [c.id] : [])))
    for (const id of ids) await this.recheck(id)
  }

  private async recheckAll() {
    const ids = new Set([...this.shares.values()].map((c) => c.id))
    for (const id of ids) await this.recheck(id)
  }

  /** Ask auth whether a link still works; only a definite "no" ends its feeds (auth away: keep going). */
  private async recheck(id: string) {
    try {
      await this.auth.call('publicShare', { id })
    } catch (e) {
      if (isAppError(e, 'NOT_FOUND')) this.endWhere((c) => c.kind === 'share' && c.id === id, 'This link has expired.')
      else this.log.warn({ err: (e as Error).message }, 'cannot re-check a share link with auth; its feed stays open')
    }
  }

  private endWhere(match: (c: PageClient | ShareClient) => boolean, text: string) {
    for (const [ws, c] of [...this.clients]) if (match(c)) this.end(ws, text)
  }

  private end(ws: Socket, text: string) {
    if (!this.clients.has(ws)) return
    this.close(ws)
    if (ws.readyState !== 1) return
    ws.send(ENDED(text))
    ws.close(CLOSE_GONE, 'gone')
  }
}
