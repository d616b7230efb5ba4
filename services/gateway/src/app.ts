import { Elysia } from 'elysia'
import type { GatewayDeps } from './deps.ts'
import { LiveFeed } from './live-feed.ts'
import { callerOf } from './request-auth.ts'
import { assets } from './routes/assets.ts'
import { authRoutes } from './routes/auth.ts'
import { errorHandler, json } from './routes/errors.ts'
import { kickWebhooks } from './routes/kick-webhooks.ts'
import { pageRoutes } from './routes/pages.ts'
import { securityHeaders } from './routes/security-headers.ts'
import { streamerApi } from './routes/streamers-api.ts'

/** The gateway's HTTP app; `listen()` happens in gateway.ts so tests can use `app.handle`. */
export function createApp(d: GatewayDeps) {
  const feed = new LiveFeed(d.statuses, d.access, d.sessions, d.log)
  const app = new Elysia({
    // A slow dashboard must not hold megabytes: past 64 KB queued it is dropped and reconnects to a fresh snapshot.
    websocket: { idleTimeout: 120, backpressureLimit: 64 * 1024, closeOnBackpressureLimit: true, perMessageDeflate: false },
  })
    .use(errorHandler(d.log))
    .use(securityHeaders)
    .use(kickWebhooks(d))
    .get('/healthz', () => d.health.handle('/healthz'))
    .get('/readyz', () => d.health.handle('/readyz'))
    .get('/metrics', () => d.health.handle('/metrics'))
    .use(assets)
    .use(authRoutes(d))
    .use(pageRoutes(d))
    .use(streamerApi(d))
    .ws('/ws', {
      async beforeHandle({ request }) {
        const caller = await callerOf(request, d.sessions)
        if (!caller) return json(401, { error: { code: 'UNAUTHENTICATED', message: 'log in first' } })
      },
      async open(ws) {
        const caller = await callerOf(ws.data.request, d.sessions)
        if (!caller) return ws.close(4401, 'session ended')
        await feed.open(ws.raw as never, caller.session)
      },
      close(ws) {
        feed.close(ws.raw as never)
      },
      message() {
        // The feed is one-way; anything a client sends is ignored.
      },
    })
  return { app, feed }
}
