// The notifier in this process against the auth harness's database and nats-server, the
// provider simulators on a random port, and helpers that publish StatusEvents into
// KICK_EVENTS as the poller does (message id = event id).
import { Svcm } from '@nats-io/services'
import { jetstream } from '@nats-io/jetstream'
import type { z } from 'zod'
import type { StatusEvent, StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { createDb } from '../../../shared/src/db.ts'
import { AppError } from '../../../shared/src/errors.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { ensureNatsResources } from '../../../shared/src/nats-resources.ts'
import { NotifierApi, type NotifierEndpointName, type NotifierInput } from '../../../shared/src/contracts/notifier.ts'
import { addEndpoints, request } from '../../../shared/src/rpc.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { VERSION } from '../../../shared/src/service.ts'
import { createMetrics } from '../../../shared/src/metrics.ts'
import { startNotifier } from '../../../services/notifier/src/app.ts'
import { NotifierConfigSchema } from '../../../services/notifier/src/config.ts'
import { createNotifySim, type NotifySim } from '../../../services/notify-sim/src/sim.ts'
import { startAuthHarness, type AuthHarness } from '../auth/harness.ts'
import { connectAs } from '../../harness/nats-auth.ts'
import { adminSubject } from '../../../shared/src/contracts/auth-internal.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'

export type Notifier = { stop: () => Promise<void>; registry: ReturnType<typeof createMetrics> }

export type NotifierHarness = AuthHarness & {
  sim: NotifySim
  simUrl: string
  /** Start (another) notifier instance; the harness stops all of them at the end. */
  startNotifier: (env?: Record<string, string>) => Promise<Notifier>
  n: <K extends NotifierEndpointName>(name: K, body: NotifierInput<K> | Record<string, unknown>) => Promise<z.infer<(typeof NotifierApi)[K]['output']>>
  nfail: (name: NotifierEndpointName, body: unknown) => Promise<AppError>
  publish: (e: StatusEvent) => Promise<void>
  status: (slug: string, over?: Partial<StreamerStatus>) => StreamerStatus
  online: (slug: string, startedAt: string, over?: Partial<StreamerStatus>) => StatusEvent
  offline: (slug: string, startedAt: string, at?: string) => StatusEvent
  titleChange: (slug: string, startedAt: string, title: string) => StatusEvent
  /** Publish a live status on kick.status.<slug> (the viewer feed live messages use). */
  liveStatus: (slug: string, startedAt: string, viewers: number, over?: Partial<StreamerStatus>) => void
  deliveries: () => Promise<{ id: string; status: string; event_id: string; rule_id: string; attempts: number; note: string | null; error: string | null }[]>
}

export const ADMIN_ACTOR = { system: 'test' } as const

/** A harness with one notifier already running in it (the harness is stopped again if that fails). */
export async function startNotifierHarnessRunning(env: Record<string, string> = {}): Promise<NotifierHarness> {
  const h = await startNotifierHarness(env)
  try {
    await h.startNotifier()
    return h
  } catch (e) {
    await h.stop()
    throw e
  }
}

export async function startNotifierHarness(env: Record<string, string> = {}): Promise<NotifierHarness> {
  const auth = await startAuthHarness()
  const sim = createNotifySim()
  const { url: simUrl } = sim.listen(0)
  const nc = auth.nc
  await ensureNatsResources(nc)
  const js = jetstream(nc)
  const instances: (() => Promise<void>)[] = []

  const startOne = async (over: Record<string, string> = {}): Promise<Notifier> => {
    const config = parseEnv(NotifierConfigSchema, {
      DATABASE_URL: auth.db.url, NATS_URL: auth.nats.url, NOTIFY_ALLOW_HOSTS: '127.0.0.1', KICK_WEB_URL: 'https://kick.example',
      NOTIFY_ENCRYPTION_KEY: 'cd'.repeat(32), LOG_LEVEL: 'silent', ...env, ...over,
    })
    const log = createLogger('notifier', process.env.NOTIFIER_TEST_LOG ?? 'silent')
    const snc = await connectAs(auth.nats, 'notifier')
    const service = await new Svcm(snc).add({ name: 'notifier', version: VERSION, description: 'notifier under test' })
    const sql = createDb(auth.db.url, 'notifier', 5)
    const stops: (() => Promise<void> | void)[] = []
    const registry = createMetrics('notifier')
    await startNotifier({ config, log, nc: snc, sql, registry, addEndpoints: (defs) => addEndpoints(service, defs, log), onStop: (fn) => void stops.push(fn) })
    let stopped = false
    const stop = async () => {
      if (stopped) return
      stopped = true
      for (const fn of stops) await fn()
      await service.stop().catch(() => {})
      await snc.drain().catch(() => {})
      await sql.end({ timeout: 1 })
    }
    instances.push(stop)
    return { stop, registry }
  }

  const status = (slug: string, over: Partial<StreamerStatus> = {}): StreamerStatus => ({
    slug, kick_user_id: 1000 + slug.length, username: slug.toUpperCase(), live: true, viewers: 100, title: `${slug} plays`,
    category: { id: 1, name: 'Just Chatting' }, started_at: null, stream_id: null, viewers_hidden: false, profile_picture_url: null, source: 'api',
    checked_at: new Date().toISOString(), changed_at: new Date().toISOString(), stale: false, ...over,
  })

  // The test client is the operator (as the CLI): system actors go to notifier.admin.*, as the CLI sends them.
  const subjectFor = (name: NotifierEndpointName, body: unknown) => {
    const actor = (body as { actor?: unknown } | null)?.actor
    return actor && typeof actor === 'object' && 'system' in actor ? adminSubject(NotifierApi[name].subject) : NotifierApi[name].subject
  }

  const h: NotifierHarness = {
    ...auth, sim, simUrl,
    startNotifier: startOne,
    n: (name, body) => request(nc, subjectFor(name, body), body, NotifierApi[name].output as z.ZodType, { timeout: 15_000 }) as never,
    nfail: async (name, body) => {
      try {
        await request(nc, subjectFor(name, body), body, NotifierApi[name].output as z.ZodType, { timeout: 15_000 })
      } catch (e) {
        if (e instanceof AppError) return e
        throw e
      }
      throw new Error(`${name} succeeded but was expected to fail`)
    },
    publish: async (e) => {
      await js.publish(subjects.event(e.slug, e.type), JSON.stringify(e), { msgID: e.id })
    },
    status,
    online: (slug, startedAt, over = {}) => ({
      id: `${slug}:online:${startedAt}`, type: 'online', slug, at: new Date().toISOString(),
      status: status(slug, { started_at: startedAt, ...over }), previous: status(slug, { live: false, viewers: 0 }),
    }),
    offline: (slug, startedAt, at = new Date().toISOString()) => ({
      id: `${slug}:offline:${startedAt}`, type: 'offline', slug, at,
      status: status(slug, { live: false, viewers: 0, started_at: null }), previous: status(slug, { started_at: startedAt }),
    }),
    titleChange: (slug, startedAt, title) => ({
      id: `${slug}:title:${Date.now()}:${title.length}`, type: 'title', slug, at: new Date().toISOString(),
      status: status(slug, { started_at: startedAt, title }), previous: status(slug, { started_at: startedAt }),
    }),
    liveStatus: (slug, startedAt, viewers, over = {}) => {
      nc.publish(subjects.status(slug), JSON.stringify(status(slug, { started_at: startedAt, viewers, ...over })))
    },
    deliveries: async () =>
      auth.db.sql`select id, status, event_id, rule_id, attempts, note, error from notify_deliveries order by id` as never,
    stop: async () => {
      for (const s of instances) await s()
      await sim.stop()
      await auth.stop()
    },
  }
  return h
}

/** A Discord webhook on the simulator. */
export async function discordHook(h: NotifierHarness): Promise<{ id: string; token: string; url: string }> {
  return (await fetch(`${h.simUrl}/_sim/discord/webhooks`, { method: 'POST' })).json() as never
}

export async function simJson<T>(h: NotifierHarness, path: string, init?: RequestInit): Promise<T> {
  return (await fetch(`${h.simUrl}${path}`, init)).json() as Promise<T>
}
