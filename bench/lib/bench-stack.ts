import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs, testNatsAuth } from '../../tests/harness/nats-auth.ts'
import { gatewayLogin, type Session } from '../../tests/harness/gateway-login.ts'
import { startPrivateInfra, type PrivateInfra } from '../../scripts/infra/private-infra.ts'
import type { LineSink } from '../../scripts/infra/processes.ts'
import { startStack, type Stack } from '../../scripts/infra/stack.ts'
import { createDb, type Sql } from '../../shared/src/db.ts'
import { PollerApi } from '../../shared/src/contracts/poller.ts'
import { World } from '../../services/kick-sim/src/world.ts'
import { pool, SimControl } from './sim-control.ts'

export const BENCH_ADMIN = { username: 'admin', password: 'bench-admin-password' }
/** What every benchmark's services run with: the first admin, fixed secrets, quiet logs. */
export const BENCH_ENV = {
  ADMIN_USERNAME: BENCH_ADMIN.username,
  ADMIN_PASSWORD: BENCH_ADMIN.password,
  SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123',
  CONFIG_ENCRYPTION_KEY: 'cd'.repeat(32),
  NOTIFY_ENCRYPTION_KEY: 'ef'.repeat(32),
  LOG_LEVEL: 'warn',
}
const SERVICES = ['auth', 'poller', 'gateway', 'notifier'] as const
const SIM = { seed: 1, clientId: 'kickmon-demo', clientSecret: 'kickmon-demo-secret' }
const WEBHOOK_EVENTS = ['livestream.status.updated', 'livestream.metadata.updated']

export type BenchStackOptions = {
  /** Channels in kick-sim's world; all of them are monitored. */
  streamers: number
  pollIntervalS?: number
  offlineGraceS?: number
  webhooks?: 'on' | 'off'
  env?: Record<string, string>
  /** Print service log lines at warn level and above (always kept for failure reports). */
  echoWarnings?: boolean
  /**
   * How the streamers become monitored. `seed`: the list is written into the poller's table
   * and, with webhooks on, the event subscriptions are created in kick-sim before the poller
   * starts — like restarting an installation that has been running (seconds for 1000).
   * `api`: each is added through `poller.streamers.add` like the UI, and the poller subscribes
   * on its own; both run inside the poller's Kick request budget (~15 adds and 8 subscriptions
   * a second), so 1000 take over two minutes. Default: seed above 100 streamers.
   */
  monitor?: 'seed' | 'api'
  /**
   * PostgreSQL with its normal durability. The default trades it for speed (fsync and
   * synchronous_commit off), which is fine until PostgreSQL is killed: with
   * synchronous_commit off a kill -9 loses the last commits by design, so the fault suite needs this.
   */
  durablePostgres?: boolean
}

export type { Session }

/** A private PostgreSQL and nats-server (authentication on, with the test keys) for one benchmark run. */
export function startBenchInfra(o: { durable?: boolean } = {}): Promise<PrivateInfra> {
  return startPrivateInfra({ durable: o.durable, authConf: testNatsAuth().authConf })
}

/** kick-sim's channels for a world size (the world is seeded, so they are known up front). */
export function simChannels(channels: number): { slug: string; user_id: number }[] {
  return new World({ channels, seed: SIM.seed, clock: Date.now }).list().map((c) => ({ slug: c.slug, user_id: c.user_id }))
}

/**
 * The whole system as real processes on loopback, with its own PostgreSQL and nats-server
 * (killable: the fault suite restarts them), kick-sim with a quiet world of `streamers`
 * channels (activity off: every change is one the benchmark made), and every channel monitored.
 */
export class BenchStack {
  private constructor(
    readonly logs: string[],
    readonly infra: PrivateInfra,
    readonly stack: Stack,
    readonly sql: Sql,
    readonly sim: SimControl,
    readonly opts: BenchStackOptions & { monitor: 'seed' | 'api' },
  ) {}

  static async start(o: BenchStackOptions): Promise<BenchStack> {
    const monitor = o.monitor ?? (o.streamers > 100 ? 'seed' : 'api')
    const logs: string[] = []
    const sink: LineSink = (service, line) => {
      logs.push(`${service} ${line}`)
      if (logs.length > 5000) logs.splice(0, 1000)
      if (o.echoWarnings && /"level":(40|50|60)|"level":"(warn|error|fatal)"/.test(line)) console.error(`  [${service}] ${line.slice(0, 300)}`)
    }
    const infra = await startBenchInfra({ durable: o.durablePostgres })
    try {
      if (monitor === 'seed') await seedStreamers(infra.databaseUrl, simChannels(o.streamers))
      const stack = await startStack({
        databaseUrl: infra.databaseUrl,
        natsUrl: infra.nats.url,
        natsAuth: testNatsAuth(),
        sim: {
          channels: o.streamers,
          activity: false,
          env: { KICK_SIM_SEED: String(SIM.seed), KICK_SIM_TOKEN_TTL_S: '86400', KICK_SIM_CLIENT_ID: SIM.clientId, KICK_SIM_CLIENT_SECRET: SIM.clientSecret, LOG_LEVEL: 'warn' },
          // Seeded streamers with webhooks: their subscriptions exist before the poller starts.
          prepare: monitor === 'seed' && o.webhooks === 'on' ? presubscribe : undefined,
        },
        env: {
          POLL_INTERVAL_S: String(o.pollIntervalS ?? 10),
          OFFLINE_GRACE_S: String(o.offlineGraceS ?? 30),
          KICK_WEBHOOKS: o.webhooks ?? 'off',
          ...BENCH_ENV,
          ...o.env,
        },
        // The caller's own settings win over what kick-sim sets (e.g. a webhook key of its own).
        serviceEnv: Object.fromEntries(SERVICES.map((n) => [n, o.env ?? {}])),
        sink,
      })
      return new BenchStack(logs, infra, stack, createDb(infra.databaseUrl, 'bench', 3), new SimControl(stack.simUrl!), { ...o, monitor })
    } catch (e) {
      const tail = logs.filter((l) => /warn|error|fatal|"level":(40|50|60)/i.test(l)).slice(-20)
      if (tail.length) console.error('last warnings from the services:\n' + tail.map((l) => '  ' + l.slice(0, 400)).join('\n'))
      await infra.destroy()
      throw e
    }
  }

  get pg() {
    return this.infra.pg
  }

  get nats() {
    return this.infra.nats
  }

  get databaseUrl() {
    return this.infra.databaseUrl
  }

  get gatewayUrl() {
    return this.stack.gatewayUrl
  }

  get wsUrl() {
    return this.stack.gatewayUrl.replace(/^http/, 'ws') + '/ws'
  }

  proc(name: 'poller' | 'auth' | 'gateway' | 'kick-sim') {
    return this.stack.procs.get(name)!
  }

  /** A NATS connection of our own (the benchmark's observer). */
  natsConnection(name = 'bench'): Promise<NatsConnection> {
    return connectAs(this.nats.url, 'operator', { name, maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: true })
  }

  /** Every kick-sim channel, monitored (added through the poller's endpoint unless seeded). */
  async monitorAll(): Promise<string[]> {
    const slugs = (await this.sim.channels()).map((c) => c.slug)
    if (this.opts.monitor === 'seed') return slugs
    const nc = await this.natsConnection('bench-setup')
    try {
      await pool(slugs, 8, async (slug) => {
        for (let attempt = 0; ; attempt++) {
          const r = await nc.request(PollerApi.add.subject, JSON.stringify({ slug }), { timeout: 30_000 }).catch((e) => e as Error)
          if (!(r instanceof Error) && !r.headers?.get('Nats-Service-Error-Code')) return
          if (attempt > 5) throw new Error(`adding ${slug} failed: ${r instanceof Error ? r.message : r.headers?.get('Nats-Service-Error')}`)
          await Bun.sleep(500)
        }
      })
    } finally {
      await nc.drain()
    }
    return slugs
  }

  login(): Promise<Session> {
    return gatewayLogin(this.gatewayUrl, BENCH_ADMIN)
  }

  /** Waits until the gateway knows every streamer with a fresh reading from Kick (not stale). */
  async waitUntilFresh(session: Session, count: number, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < deadline) {
      const res = await fetch(`${this.gatewayUrl}/api/v1/streamers`, { headers: { cookie: session.cookie } }).catch(() => null)
      if (res?.ok) {
        const list = (await res.json()) as { stale: boolean; checked_at: string | null }[]
        const fresh = list.filter((s) => !s.stale && s.checked_at).length
        last = `${list.length} known, ${fresh} fresh`
        if (list.length >= count && fresh >= count) return
      }
      await Bun.sleep(500)
    }
    throw new Error(`the gateway did not have ${count} fresh streamers after ${timeoutMs} ms (${last})`)
  }

  async destroy() {
    await this.sql.end({ timeout: 2 }).catch(() => {})
    await this.stack.stop().catch(() => {})
    await this.infra.destroy()
  }
}

/** Rows as the poller leaves them after resolving each slug (so its first pass subscribes nothing new). */
export async function seedStreamers(databaseUrl: string, channels: { slug: string; user_id: number }[]) {
  const sql = createDb(databaseUrl, 'bench-seed', 1)
  try {
    const rows = channels.map((c) => ({ slug: c.slug, username: c.slug, kick_user_id: c.user_id, resolved_at: new Date() }))
    for (let i = 0; i < rows.length; i += 1000) await sql`insert into streamers ${sql(rows.slice(i, i + 1000))} on conflict (slug) do nothing`
  } finally {
    await sql.end()
  }
}

/** Both webhook events for every channel, under the poller's app (its manager adopts them at its first audit). */
async function presubscribe(simUrl: string) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: SIM.clientId, client_secret: SIM.clientSecret })
  const tok = (await (await fetch(`${simUrl}/oauth/token`, { method: 'POST', body: form })).json()) as { access_token: string }
  const channels = (await (await fetch(`${simUrl}/_sim/channels`)).json()) as { user_id: number }[]
  await pool(channels, 16, async (c) => {
    const res = await fetch(`${simUrl}/public/v1/events/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ broadcaster_user_id: c.user_id, events: WEBHOOK_EVENTS.map((name) => ({ name, version: 1 })), method: 'webhook' }),
    })
    if (!res.ok) throw new Error(`subscribing ${c.user_id} in kick-sim: ${res.status} ${await res.text()}`)
  })
}
