import { Elysia } from 'elysia'
import { mountApi } from './api/define.ts'
import { apiRoutes } from './api/index.ts'
import type { GatewayDeps } from './deps.ts'
import { compression } from './http/compression.ts'
import { errorHandler } from './http/errors.ts'
import { forwardedHeaders } from './http/forwarded.ts'
import { httpMetrics } from './http/http-metrics.ts'
import { securityHeaders } from './http/security-headers.ts'
import { socketHandler } from './http/sockets.ts'
import { connectionMetrics } from './live/connection-metrics.ts'
import { LiveFeed } from './live/live-feed.ts'
import { liveSocket } from './live/ws.ts'
import { mediaRoutes } from './media/routes.ts'
import { htmlPages } from './pages/index.ts'
import { publicRoutes } from './public/routes.ts'
import { kickWebhooks } from './webhooks/kick-webhooks.ts'

/** The gateway's HTTP app and its sockets' handler; `listen()` happens in gateway.ts so tests can use `app.handle`. */
export function createApp(d: GatewayDeps) {
  const feed = new LiveFeed(d.statuses, d.access, d.sessions, d.log, d.feedLog, d.trend, d.watch)
  connectionMetrics(d.health.registry, { websocket: () => feed.size, sse: () => d.events.size })
  const api = apiRoutes(d)
  const app = new Elysia()
    .use(forwardedHeaders(d.config)) // first: everything after may ask who the client is
    .use(errorHandler(d.log))
    .use(httpMetrics(d.health.registry))
    .use(securityHeaders)
    .use(compression)
    .use(kickWebhooks(d))
    .get('/healthz', () => d.health.handle('/healthz'))
    .get('/readyz', () => d.health.handle('/readyz'))
    .get('/metrics', () => d.health.handle('/metrics'))
    .use(mediaRoutes(d))
    .use(mountApi(d, api))
    .use(htmlPages(d))
    .use(liveSocket(d))
    .use(publicRoutes(d))
  // Every socket is Bun's own (http/sockets.ts); the routes above only check and upgrade.
  return { app, feed, api, websocket: socketHandler(feed, d.pub.feeds, d.log) }
}
