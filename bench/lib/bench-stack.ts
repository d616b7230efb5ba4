import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs, testNatsAuth } from '../../tests/harness/nats-auth.ts'
import { startLocalNats, type LocalNats } from '../../scripts/infra/nats.ts'
import { freePort } from '../../scripts/infra/ports.ts'
import { startLocalPostgres, type LocalPostgres } from '../../scripts/infra/postgres.ts'
import { SupervisedProcess, waitForHttp, type LineSink } from '../../scripts/infra/processes.ts'
import { prepareDatabase, startStack, type Stack } from '../../scripts/infra/stack.ts'
import { createDb, type Sql } from '../../shared/src/db.ts'
import { PollerApi } from '../../shared/src/contracts/poller.ts'
import { World } from '../../services/kick-sim/src/world.ts'
import { pool, SimControl } from './sim-control.ts'

export const BENCH_ADMIN = { username: 'admin', password: 'bench-admin-password' }
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

export type Session = { cookie: string; csrf: string }

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
    readonly pg: LocalPostgres,
    readonly nats: LocalNats,
    readonly stack: Stack,
    readonly databaseUrl: string,
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
    const [pg, nats] = await Promise.all([startLocalPostgres({ fast: !o.durablePostgres }), startLocalNats({ authConf: testNatsAuth().authConf })])
    let sim: SupervisedProcess | null = null
    try {
      const databaseUrl = pg.url('kickmon')
      await prepareDatabase(databaseUrl)
      if (monitor === 'seed') await seedStreamers(databaseUrl, simChannels(o.streamers))

      // kick-sim runs before the stack so its subscriptions can be prepared.
      const [gatewayPort, simPort] = [await freePort(), await freePort()]
      const simUrl = `http://127.0.0.1:${simPort}`
      sim = new SupervisedProcess('kick-sim', {
        ...process.env, KICK_SIM_PORT: String(simPort), KICK_SIM_CHANNELS: String(o.streamers), KICK_SIM_SEED: String(SIM.seed),
        KICK_SIM_ACTIVITY: 'off', KICK_SIM_TOKEN_TTL_S: '86400', KICK_SIM_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/webhooks/kick`,
        KICK_SIM_CLIENT_ID: SIM.clientId, KICK_SIM_CLIENT_SECRET: SIM.clientSecret, LOG_LEVEL: 'warn',
      }, sink)
      sim.start()
      await waitForHttp(`${simUrl}/_sim/channels`)
      if (monitor === 'seed' && o.webhooks === 'on') await presubscribe(simUrl)
      const key = (await (await fetch(`${simUrl}/public/v1/public-key`)).json()) as { data: { public_key: string } }

      const stack = await startStack({
        databaseUrl,
        natsUrl: nats.url,
        natsAuth: testNatsAuth(),
        sim: false,
        ports: { gateway: gatewayPort },
        env: {
          KICK_API_URL: simUrl, KICK_AUTH_URL: simUrl, KICK_WEB_URL: simUrl,
          KICK_CLIENT_ID: SIM.clientId, KICK_CLIENT_SECRET: SIM.clientSecret, KICK_WEBHOOK_PUBLIC_KEY: key.data.public_key,
          POLL_INTERVAL_S: String(o.pollIntervalS ?? 10),
          OFFLINE_GRACE_S: String(o.offlineGraceS ?? 30),
          KICK_WEBHOOKS: o.webhooks ?? 'off',
          ADMIN_USERNAME: BENCH_ADMIN.username,
          ADMIN_PASSWORD: BENCH_ADMIN.password,
          SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123',
          CONFIG_ENCRYPTION_KEY: 'cd'.repeat(32),
          NOTIFY_ENCRYPTION_KEY: 'ef'.repeat(32),
          LOG_LEVEL: 'warn',
          ...o.env,
        },
        sink,
      })
      stack.procs.set('kick-sim', sim)
      stack.simUrl = simUrl
      return new BenchStack(logs, pg, nats, stack, databaseUrl, createDb(databaseUrl, 'bench', 3), new SimControl(simUrl), { ...o, monitor })
    } catch (e) {
      const tail = logs.filter((l) => /warn|error|fatal|"level":(40|50|60)/i.test(l)).slice(-20)
      if (tail.length) console.error('last warnings from the services:\n' + tail.map((l) => '  ' + l.slice(0, 400)).join('\n'))
      await sim?.stop()
      await nats.destroy().catch(() => {})
      await pg.destroy().catch(() => {})
      throw e
    }
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

  async login(): Promise<Session> {
    const res = await fetch(`${this.gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BENCH_ADMIN),
    })
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
    const body = (await res.json()) as { csrf_token: string }
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
    return { cookie, csrf: body.csrf_token }
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
    await this.nats.destroy().catch(() => {})
    await this.pg.destroy().catch(() => {})
  }
}

/** Rows as the poller leaves them after resolving each slug (so its first pass subscribes nothing new). */
async function seedStreamers(databaseUrl: string, channels: { slug: string; user_id: number }[]) {
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
