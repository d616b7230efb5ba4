import type { ServerWebSocket, WebSocketHandler } from 'bun'
import type { ShareLink } from '@kickmon/shared/contracts/public'
import type { Logger } from '@kickmon/shared/logger'
import type { Caller } from '../identity/request-auth.ts'
import type { LiveFeed } from '../live/live-feed.ts'
import type { PublicFeeds } from '../public/feeds.ts'

// The gateway's WebSockets on Bun's own handler rather than Elysia's `.ws()`. The upgrade
// stays an Elysia route (method `WS`: only requests asking for an upgrade reach it), so its
// checks answer through the same hooks as any request (error bodies, request id, security
// headers, metrics); the socket then keeps only the small object below as its `data`.
// Elysia's `.ws()` kept the whole request context per socket, and ran `beforeHandle` twice
// (as the route's hook and again before upgrading): ~15 KB of RSS per idle socket against ~7 KB
// (bun bench/ws-socket-cost.ts; docs/performance.md, Gateway).

/** What an open socket keeps: which feed it is and what that feed needs, nothing of its request. */
export type SocketData =
  | { kind: 'dashboard'; caller: Caller; only: string | null; since: string | null }
  | { kind: 'page'; slug: string; ip: string | undefined }
  | { kind: 'share'; link: ShareLink; ip: string | undefined }
export type Socket = ServerWebSocket<SocketData>

type Upgrading = {
  request: Request
  server: { upgrade(req: Request, o: { data: SocketData; headers?: Record<string, string> }): boolean } | null
  set: { headers: Record<string, unknown> }
}

/** Upgrade the request with `data` (checked already), the hooks' headers on the 101 as on any answer; a request Bun cannot upgrade gets a 400. */
export function upgrade({ request, server, set }: Upgrading, data: SocketData): Response | undefined {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(set.headers)) if (v !== undefined && v !== null) headers[k] = String(v)
  if (server?.upgrade(request, { data, headers })) return undefined
  return new Response('expected a WebSocket connection', { status: 400, headers: { 'cache-control': 'no-store' } })
}

/** Bun's `websocket` handler for every socket the gateway serves (given to `listen`). */
export function socketHandler(feed: LiveFeed, pub: PublicFeeds, log: Logger): WebSocketHandler<SocketData> {
  /** A feed that failed to open: logged, and the socket closed so the page retries. */
  const failed = (ws: Socket) => (err: unknown) => {
    log.error({ err, feed: ws.data.kind }, 'a live feed failed to open')
    if (ws.readyState === 1) ws.close(1011, 'try again')
  }
  return {
    // A slow dashboard must not hold megabytes: past 64 KB queued it is dropped and reconnects to a fresh snapshot.
    idleTimeout: 120,
    backpressureLimit: 64 * 1024,
    closeOnBackpressureLimit: true,
    perMessageDeflate: false,
    open(ws) {
      const d = ws.data
      const opened =
        d.kind === 'dashboard' ? feed.open(ws, d.caller, { only: d.only, since: d.since })
        : d.kind === 'page' ? pub.openPage(ws, d.slug, d.ip)
        : Promise.try(() => pub.openShare(ws, d.link, d.ip))
      opened.catch(failed(ws))
    },
    drain(ws) {
      if (ws.data.kind === 'dashboard') feed.drain(ws)
    },
    close(ws) {
      if (ws.data.kind === 'dashboard') feed.close(ws)
      else pub.close(ws)
    },
    message() {
      // Every feed is one-way; anything a client sends is ignored.
    },
  }
}
