import type { ServiceConfig } from '../../shared/src/config.ts'
import { parseEnv } from '../../shared/src/parse-env.ts'
import { createService, type ServiceContext, type ServiceOptions } from '../../shared/src/service.ts'
import { AuthConfigSchema, type AuthConfig } from '../../services/auth/src/config.ts'
import { GatewayConfigSchema, type GatewayConfig } from '../../services/gateway/src/config.ts'
import { PollerConfigSchema, type PollerConfig } from '../../services/poller/src/config.ts'
import { createKickSim, type KickSimOptions } from '../../services/kick-sim/src/sim.ts'
import { createTestDb, testNats, type LocalNats, type TestDb } from './infra.ts'
import { connectAs, testNatsAuth } from './nats-auth.ts'
import type { NatsConnection } from '@nats-io/transport-node'

/** The poller's, the gateway's and auth's settings in one object: what tests hand to any of them. */
export type StackConfig = PollerConfig & GatewayConfig & AuthConfig

export type TestEnv = { db: TestDb; nats: LocalNats; sim: ReturnType<typeof createKickSim>; simUrl: string; config: (over?: Record<string, string>) => StackConfig; destroy: () => Promise<void> }

/** A fresh database, a private nats-server and an in-process kick-sim for one test file. */
export async function testEnv(simOpts: KickSimOptions = {}): Promise<TestEnv> {
  const [db, nats] = await Promise.all([createTestDb(), testNats()])
  const sim = createKickSim({ channels: 5, activity: false, ...simOpts })
  const { url: simUrl } = sim.listen(0)
  const config = (over: Record<string, string> = {}): StackConfig => {
    const env = {
      DATABASE_URL: db.url, NATS_URL: nats.url, KICK_API_URL: simUrl, KICK_AUTH_URL: simUrl, KICK_WEB_URL: simUrl,
      KICK_CLIENT_ID: 'kickmon-demo', KICK_CLIENT_SECRET: 'kickmon-demo-secret', KICK_WEBHOOK_PUBLIC_KEY: sim.publicKeyPem,
      POLL_INTERVAL_S: '1', OFFLINE_GRACE_S: '2', POLLER_PORT: '0', AUTH_PORT: '0', GATEWAY_PORT: '0',
      ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'correct horse battery', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      CONFIG_ENCRYPTION_KEY: '0'.repeat(64), // the demo key: auth has no default of its own
      ...over,
    }
    return { ...parseEnv(PollerConfigSchema, env), ...parseEnv(GatewayConfigSchema, env), ...parseEnv(AuthConfigSchema, env) }
  }
  return {
    db, nats, sim, simUrl, config,
    destroy: async () => {
      await sim.stop()
      await nats.destroy()
      await db.drop()
    },
  }
}

/**
 * Runs a service in this process (no signal handlers); `stop()` shuts it down in order.
 * It connects to NATS as its own identity unless `config` names other credentials.
 */
export async function inProcess<T, C extends ServiceConfig = StackConfig>(
  name: ServiceOptions['name'], config: C, start: (ctx: ServiceContext<C>) => Promise<T>,
): Promise<{ ctx: ServiceContext<C>; result: T; stop: () => Promise<void>; client: NatsConnection }> {
  if (!config.NATS_CREDS && !config.NATS_NKEY_SEED_FILE) config = { ...config, NATS_NKEY_SEED_FILE: testNatsAuth().seeds[name] }
  let result!: T
  const { ctx, stop } = await createService({
    name, description: `${name} (test)`, port: 0, config, useDb: name !== 'gateway', ownHttp: name === 'gateway',
    start: async (c) => void (result = await start(c)),
  })
  // The test's own connection, as the operator (the CLI's identity): the service's own may not call itself.
  const client = await connectAs(config.NATS_URL, 'operator')
  return { ctx, result, client, stop: async () => {
    await client.close().catch(() => {})
    await stop()
  } }
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v) return v as NonNullable<T>
    } catch (e) {
      last = e
    }
    await Bun.sleep(50)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}
