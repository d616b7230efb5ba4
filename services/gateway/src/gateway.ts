import type { ServiceContext } from '@kickmon/shared/service'
import { AccessCache } from './access.ts'
import { createApp } from './app.ts'
import { AuthClient } from './auth-client.ts'
import { SessionCache } from './session-cache.ts'
import { StatusStore } from './status-store.ts'

/** Wires the gateway; main.ts and in-process tests both call this. */
export async function startGateway(ctx: ServiceContext, port = ctx.config.GATEWAY_PORT) {
  const { log, nc, config, health } = ctx
  const auth = new AuthClient(nc)
  const sessions = new SessionCache(auth)
  sessions.listen(nc)
  const access = new AccessCache(auth, sessions)
  const statuses = new StatusStore(nc, log)
  await statuses.start()
  const { app, feed } = createApp({ config, log, nc, health, auth, sessions, access, statuses })
  app.listen({ port, hostname: '0.0.0.0' })
  feed.publish = (topic, data) => void app.server!.publish(topic, data)
  log.info({ port: app.server!.port }, 'gateway listening')
  ctx.onStop(async () => {
    feed.closeAll(1012)
    await Promise.race([app.stop(), Bun.sleep(5000)])
    await app.stop(true)
  })
  return { app, feed, statuses, port: app.server!.port }
}
