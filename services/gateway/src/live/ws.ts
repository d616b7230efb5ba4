import { Elysia } from 'elysia'
import { AppError } from '@kickmon/shared/errors'
import { Slug } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import { CLOSE_SESSION_ENDED, type LiveFeed } from './live-feed.ts'
import { callerOf, checkLiveOrigin } from '../identity/request-auth.ts'

/**
 * `/ws`: the dashboard's live rows as htmx fragments. The session is checked on the upgrade
 * (and the Origin, `null` included, since browsers send cookies on cross-site WebSocket upgrades too);
 * `?slug=` follows one streamer (the streamer page); `?since=` is the page's feed cursor.
 */
export const liveSocket = (d: GatewayDeps, feed: LiveFeed) =>
  new Elysia({ name: 'live-socket' }).ws('/ws', {
    async beforeHandle({ request }) {
      checkLiveOrigin(request)
      const caller = await callerOf(request, d)
      if (!caller) throw new AppError('UNAUTHENTICATED', 'log in first')
      const slug = new URL(request.url).searchParams.get('slug')
      if (slug !== null && !Slug.safeParse(slug).success) throw new AppError('VALIDATION', 'slug: not a Kick slug')
    },
    async open(ws) {
      const req = (ws.data as { request: Request }).request
      const caller = await callerOf(req, d).catch(() => null)
      if (!caller) return ws.close(CLOSE_SESSION_ENDED, 'session ended')
      const q = new URL(req.url).searchParams
      await feed.open(ws.raw as never, caller, { only: q.get('slug'), since: q.get('since') })
    },
    drain(ws) {
      feed.drain(ws.raw as never)
    },
    close(ws) {
      feed.close(ws.raw as never)
    },
    message() {
      // The feed is one-way; anything a client sends is ignored.
    },
  })
