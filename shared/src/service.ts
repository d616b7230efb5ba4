import { Svcm, type Service } from '@nats-io/services'
import type { NatsConnection } from '@nats-io/transport-node'
import type { ServiceConfig } from './config.ts'
import type { Sql } from './db.ts'
import { grantsProbe } from './db-grants.ts'
import { Health, dbProbe, natsProbe } from './health.ts'
import { createLogger, type Logger } from './logger.ts'
import { createMetrics, natsRequestsCounter, type Registry } from './metrics.ts'
import { lazyImport } from './lazy.ts'
import { expectedVersion } from './migrate.ts'
import { connectNats } from './nats.ts'
import { addEndpoints, type Endpoint } from './rpc.ts'

const HEALTH_PATHS = new Set(['/healthz', '/readyz', '/metrics'])
/** postgres.js (~3 MB) only in a service that uses the database: the gateway does not. */
const dbModule = lazyImport('postgres (./db.ts)', 'the database connection', () => import('./db.ts'))

export const VERSION = '0.1.0'

/** What a service's start gets; `config` is that service's own (its config.ts). */
export type ServiceContext<C extends ServiceConfig = ServiceConfig> = {
  config: C
  log: Logger
  nc: NatsConnection
  sql: Sql | null
  registry: Registry
  service: Service
  health: Health
  addEndpoints: (defs: Endpoint<any, any>[]) => void
  /** Stop hooks run in registration order, before NATS drains and the database closes. */
  onStop: (fn: () => Promise<void> | void) => void
}

/**
 * The parts of ServiceContext a service's start uses: what tests build around a test database
 * and nats-server without the runner (registry and health are then absent).
 */
export type ServiceStartContext<C extends ServiceConfig = ServiceConfig> =
  Pick<ServiceContext<C>, 'config' | 'log' | 'nc' | 'sql' | 'addEndpoints' | 'onStop'> & Partial<Pick<ServiceContext<C>, 'registry' | 'health'>>

export type ServiceOptions<C extends ServiceConfig = ServiceConfig> = {
  name: 'poller' | 'auth' | 'gateway' | 'notifier'
  description: string
  port: number
  /** Where /healthz /readyz /metrics listen (<SERVICE>_HOST); loopback when not given. */
  host?: string
  config: C
  /** Connect to PostgreSQL at `config.DATABASE_URL` before start. */
  useDb: boolean
  /** The gateway serves health on its own app; others get a small server on `port`. */
  ownHttp?: boolean
  start: (ctx: ServiceContext<C>) => Promise<void>
}

/**
 * Wires a service: logger, NATS (waits, reconnects forever), PostgreSQL (waits),
 * `$SRV` registration, /healthz /readyz /metrics, and an ordered `stop()` (docs/design.md#service-conventions).
 * Tests call this directly; main.ts files go through `runService`, which adds signals.
 */
export async function createService<C extends ServiceConfig>(opts: ServiceOptions<C> & { logger?: Logger }): Promise<{ ctx: ServiceContext<C>; stop: () => Promise<void> }> {
  const { config, name } = opts
  const log = opts.logger ?? createLogger(name, config.LOG_LEVEL)
  const registry = createMetrics(name)
  const stopHooks: (() => Promise<void> | void)[] = []
  const health = new Health(name, VERSION, [], registry)

  // Health answers from the first moment (not ready yet) so supervisors see us waiting.
  const server = opts.ownHttp
    ? null
    : Bun.serve({
        port: opts.port,
        // /metrics and /readyz are for this machine unless POLLER_HOST / AUTH_HOST say otherwise.
        hostname: opts.host ?? '127.0.0.1',
        fetch: async (req) => {
          const path = new URL(req.url).pathname
          // Read-only endpoints: another method is refused, not answered as if it were a GET.
          if (HEALTH_PATHS.has(path) && req.method !== 'GET' && req.method !== 'HEAD')
            return new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } })
          return (await health.handle(path)) ?? new Response('not found', { status: 404 })
        },
      })
  if (server) log.info({ port: server.port }, 'health endpoints listening')

  let sql: Sql | null = null
  if (opts.useDb) {
    if (!config.DATABASE_URL) throw new Error(`${name} needs DATABASE_URL in its config (useDb)`)
    const { createDb, waitForDb } = await dbModule()
    sql = createDb(config.DATABASE_URL, name)
    await waitForDb(sql, (err, attempt) =>
      log.warn({ attempt, err: String((err as Error).message ?? err).replace(/\w+:\/\/\S+/g, '<url>') }, 'waiting for PostgreSQL'),
    )
    health.addProbe(dbProbe(sql, await expectedVersion()))
    if (name !== 'gateway') {
      const grants = grantsProbe(sql, name, log)
      health.addProbe(grants)
      await grants.run().catch(() => {}) // says at once, in the log, what the role lacks
    }
  }
  const nc = await connectNats(config.NATS_URL, name, log, config)
  health.addProbe(natsProbe(nc))

  // Where this instance's /readyz answers, for the gateway's health page ($SRV.INFO metadata).
  // ADVERTISE_HOST names this machine to the others (e.g. the compose service name).
  const metadata = { http_port: String(server?.port ?? opts.port), http_host: process.env.ADVERTISE_HOST || '127.0.0.1' }
  const service = await new Svcm(nc).add({ name, version: VERSION, description: opts.description, metadata })
  const counter = natsRequestsCounter(registry)

  const ctx: ServiceContext<C> = {
    config, log, nc, sql, registry, service, health,
    addEndpoints: (defs) => addEndpoints(service, defs, log, counter),
    onStop: (fn) => void stopHooks.push(fn),
  }

  let stopping: Promise<void> | null = null
  const stop = () =>
    (stopping ??= (async () => {
      health.stopping = true
      for (const fn of stopHooks) {
        try {
          await fn()
        } catch (err) {
          log.error({ err }, 'stop hook failed')
        }
      }
      await service.stop().catch(() => {})
      await nc.drain().catch(() => {})
      await sql?.end({ timeout: 5 }).catch(() => {})
      server?.stop(true)
    })())

  await opts.start(ctx)
  health.started = true
  log.info({ version: VERSION }, `${name} started`)
  return { ctx, stop }
}

/** createService plus SIGTERM/SIGINT handling and a hard-exit guard: what main.ts calls. */
export async function runService<C extends ServiceConfig>(opts: ServiceOptions<C>): Promise<ServiceContext<C>> {
  const { ctx, stop } = await createService(opts)
  let once = false
  const onSignal = (signal: string) => {
    if (once) return
    once = true
    ctx.log.info({ signal }, 'shutting down')
    const hardExit = setTimeout(() => {
      ctx.log.error('shutdown took too long; exiting')
      process.exit(1)
    }, 12_000)
    void stop().then(() => {
      clearTimeout(hardExit)
      ctx.log.info('stopped')
      ctx.log.flush()
      setTimeout(() => process.exit(0), 50)
    })
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
  return ctx
}
