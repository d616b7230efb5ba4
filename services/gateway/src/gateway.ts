import type { ServiceContext } from '@kickmon/shared/service'
import type { GatewayConfig } from './config.ts'
import { AccessCache } from './access.ts'
import { ApiKeyCache } from './api-key-cache.ts'
import { createApp } from './app.ts'
import { AuthClient } from './auth-client.ts'
import { CredentialWatch } from './credential-watch.ts'
import type { GatewayDeps } from './deps.ts'
import { EventStream } from './event-stream.ts'
import { FeedLog } from './feed-log.ts'
import { HealthReporter } from './health-report.ts'
import { MediaCache } from './media-cache.ts'
import { PollerClient } from './poller-client.ts'
import { ProfileCache } from './profile-cache.ts'
import { buildPublicSite } from './public/index.ts'
import { SessionCache } from './session-cache.ts'
import { StatusStore } from './status-store.ts'
import { ViewerTrend } from './viewer-trend.ts'

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
  const { app, feed } = createApp(deps)
  app.listen({ port, hostname: ctx.config.GATEWAY_HOST, maxRequestBodySize: 1024 * 1024 })
  feed.publish = (topic, data) => void app.server?.publish(topic, data)
  deps.pub.pages.publish = (topic, data) => void app.server?.publish(topic, data)
  log.info({ port: app.server!.port }, 'gateway listening')
  ctx.onStop(async () => {
    deps.events.stop()
    feed.closeAll(1012)
    deps.pub.stop()
    deps.watch.stop()
    deps.statuses.stop()
    // stop() waits for open requests and sockets; past 5 s everything is closed hard.
    const graceful = await Promise.race([app.stop().then(() => true, () => true), Bun.sleep(5000).then(() => false)])
    if (!graceful) await app.stop(true).catch(() => {})
  })
  return { app, feed, deps, statuses: deps.statuses, port: app.server!.port }
}
