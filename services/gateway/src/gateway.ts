import type { ServiceContext } from '@kickmon/shared/service'
import type { GatewayConfig } from './config.ts'
import { AccessCache } from './identity/access.ts'
import { ApiKeyCache } from './identity/api-key-cache.ts'
import { createApp } from './app.ts'
import { AuthClient } from './clients/auth-client.ts'
import { CredentialWatch } from './identity/credential-watch.ts'
import type { GatewayDeps } from './deps.ts'
import { EventStream } from './live/event-stream.ts'
import { FeedLog } from './live/feed-log.ts'
import { HealthReporter } from './health-report.ts'
import { stopWithDeadline, topicPublisher } from './http/server.ts'
import { MediaCache } from './media/media-cache.ts'
import { NotifierClient } from './clients/notifier-client.ts'
import { PollerClient } from './clients/poller-client.ts'
import { ProfileCache } from './media/profile-cache.ts'
import { buildPublicSite } from './public/index.ts'
import { SessionCache } from './identity/session-cache.ts'
import { StatusStore } from './live/status-store.ts'
import { ViewerTrend } from './live/viewer-trend.ts'

/** Builds every part of the gateway on a service context (tests use it with `app.handle`). */
export async function buildDeps(ctx: Pick<ServiceContext<GatewayConfig>, 'log' | 'nc' | 'config' | 'health'>): Promise<GatewayDeps> {
  const { log, nc, config, health } = ctx
  const auth = new AuthClient(nc)
  const poller = new PollerClient(nc)
  const sessions = new SessionCache(auth)
  sessions.listen(nc)
  const keys = new ApiKeyCache(auth, sessions)
  keys.listen(nc)
  const watch = new CredentialWatch(auth, sessions, keys, log)
  const access = new AccessCache(auth, sessions)
  const statuses = new StatusStore(nc, log)
  // The trend listens first, so a row rendered for a change already includes it.
  const trend = new ViewerTrend()
  statuses.onChange((s, slug) => trend.record(s, slug))
  await statuses.start()
  const pub = await buildPublicSite({ nc, config, log, statuses, poller, sessions })
  return {
    pub,
    config, log, nc, health, auth, poller, sessions, keys, watch, access, statuses, trend,
    notifier: new NotifierClient(nc),
    feedLog: new FeedLog(),
    events: new EventStream(statuses, access, sessions, watch, log),
    profiles: new ProfileCache(poller),
    media: new MediaCache(config),
    healthReport: new HealthReporter(nc, config, health, poller),
  }
}

/** Wires and starts the gateway; main.ts and in-process tests both call this. */
export async function startGateway(ctx: ServiceContext<GatewayConfig>, port = ctx.config.GATEWAY_PORT) {
  const { log } = ctx
  const deps = await buildDeps(ctx)
  const { app, feed, websocket } = createApp(deps)
  // Bun's own WebSocket handler in place of Elysia's (http/sockets.ts).
  app.listen({ port, hostname: ctx.config.GATEWAY_HOST, maxRequestBodySize: 1024 * 1024, websocket })
  // The dashboards' and the public pages' feeds publish to the server's topics.
  const publish = topicPublisher(app)
  feed.publish = publish
  deps.pub.pages.publish = publish
  log.info({ port: app.server!.port }, 'gateway listening')
  ctx.onStop(async () => {
    deps.events.stop()
    feed.closeAll(1012)
    deps.pub.stop()
    deps.watch.stop()
    deps.statuses.stop()
    await stopWithDeadline(app, 5_000)
  })
  return { app, feed, deps, statuses: deps.statuses, port: app.server!.port }
}
