import { Elysia } from 'elysia'
import { mountApi } from './api/define.ts'
import { connectionMetrics } from './live/connection-metrics.ts'
import { apiRoutes } from './api/index.ts'
import type { GatewayDeps } from './deps.ts'
import { LiveFeed } from './live/live-feed.ts'
import { accountPages } from './pages/account.ts'
import { adminStreamerPages } from './pages/admin-streamers.ts'
import { adminUserPages } from './pages/admin-users.ts'
import { assets } from './pages/assets.ts'
import { authRoutes } from './pages/auth.ts'
import { compression } from './http/compression.ts'
import { dashboardRoutes } from './pages/dashboard.ts'
import { errorHandler } from './http/errors.ts'
import { httpMetrics } from './http/http-metrics.ts'
import { kickWebhooks } from './webhooks/kick-webhooks.ts'
import { mediaRoutes } from './media/routes.ts'
import { notificationPages } from './pages/notifications.ts'
import { publicRoutes } from './public/routes.ts'
import { adminPagesRoutes } from './pages/admin-pages.ts'
import { sharePages } from './pages/share-page.ts'
import { forwardedHeaders } from './http/forwarded.ts'
import { securityHeaders } from './http/security-headers.ts'
import { streamerPages } from './pages/streamer-page.ts'
import { systemPages } from './pages/system.ts'
import { liveSocket } from './live/ws.ts'

/** The gateway's HTTP app; `listen()` happens in gateway.ts so tests can use `app.handle`. */
export function createApp(d: GatewayDeps) {
  const feed = new LiveFeed(d.statuses, d.access, d.sessions, d.log, d.feedLog, d.trend, d.watch)
  connectionMetrics(d.health.registry, { websocket: () => feed.size, sse: () => d.events.size })
  const api = apiRoutes(d)
  const app = new Elysia({
    // A slow dashboard must not hold megabytes: past 64 KB queued it is dropped and reconnects to a fresh snapshot.
    websocket: { idleTimeout: 120, backpressureLimit: 64 * 1024, closeOnBackpressureLimit: true, perMessageDeflate: false },
  })
    .use(forwardedHeaders(d.config)) // first: everything after may ask who the client is
    .use(errorHandler(d.log))
    .use(httpMetrics(d.health.registry))
    .use(securityHeaders)
    .use(compression)
    .use(kickWebhooks(d))
    .get('/healthz', () => d.health.handle('/healthz'))
    .get('/readyz', () => d.health.handle('/readyz'))
    .get('/metrics', () => d.health.handle('/metrics'))
    .use(assets)
    .use(mediaRoutes(d))
    .use(authRoutes(d))
    .use(mountApi(d, api))
    .use(dashboardRoutes(d))
    .use(streamerPages(d))
    .use(adminUserPages(d))
    .use(adminStreamerPages(d))
    .use(accountPages(d))
    .use(notificationPages(d))
    .use(systemPages(d))
    .use(liveSocket(d, feed))
    .use(publicRoutes(d))
    .use(adminPagesRoutes(d))
    .use(sharePages(d))
  return { app, feed, api }
}
