import { Kvm } from '@nats-io/kv'
import { type NatsConnection } from '@nats-io/transport-node'
import { connectAs, testNatsAuth } from '../../harness/nats-auth.ts'
import { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { createKickSim } from '../../../services/kick-sim/src/sim.ts'
import { MEMBERS_BUCKET } from '../../../shared/src/contracts/poller.ts'
import { startLocalNatsCluster, type LocalNatsCluster } from '../../../scripts/infra/nats-cluster.ts'
import { startScaledStack, type ScaledStack } from '../../../scripts/infra/stack.ts'
import { createTestDb, testNats, type LocalNats, type TestDb } from '../../harness/infra.ts'
import { readSse } from '../../harness/sse.ts'
import { gatewayLogin } from '../../harness/gateway-login.ts'
import { ADMIN } from '../../harness/stack.ts'
import { SimFront, isLivestreams } from '../poller/faults-kit.ts'

// Several pollers and gateways as real processes on one machine (docs/scaling.md). kick-sim
// runs in this process; each poller reaches it through its own SimFront, so the test sees
// which instance asked Kick about which streamer, and when.

export const INTERVAL_S = 2
/** Membership TTL in production and here (services/poller/src/membership/membership.ts). */
export const TTL_S = 3

export type ScaledEnvOptions = { pollers: number; gateways: number; channels?: number; cluster?: boolean; env?: Record<string, string> }

export async function scaledEnv(o: ScaledEnvOptions) {
  const db = await createTestDb()
  let single: LocalNats | null = null
  let cluster: LocalNatsCluster | null = null
  if (o.cluster) cluster = await startLocalNatsCluster({ auth: testNatsAuth() })
  else single = await testNats()
  const natsUrl = cluster ? cluster.url : single!.url
  const sim = createKickSim({ channels: o.channels ?? 12, activity: false })
  const { url: simUrl } = sim.listen(0)
  const fronts = await Promise.all(Array.from({ length: o.pollers }, () => SimFront.start(sim)))
  const logs: string[] = []
  let stack: ScaledStack
  try {
    stack = await startScaledStack({
      databaseUrl: db.url, natsUrl, pollers: o.pollers, gateways: o.gateways, restart: false, natsAuth: testNatsAuth(),
      env: {
        KICK_API_URL: simUrl, KICK_AUTH_URL: simUrl, KICK_WEB_URL: simUrl, KICK_CLIENT_ID: 'kickmon-demo', KICK_CLIENT_SECRET: 'kickmon-demo-secret',
        KICK_WEBHOOK_PUBLIC_KEY: sim.publicKeyPem, POLL_INTERVAL_S: String(INTERVAL_S), OFFLINE_GRACE_S: '2', LOG_LEVEL: 'info',
        ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password,
        SESSION_SECRET: 'scaling-session-secret-0123456789abcdef', CONFIG_ENCRYPTION_KEY: 'cd'.repeat(32),
        ...o.env,
      },
      pollerEnv: (i) => ({ KICK_API_URL: fronts[i]!.url }),
      sink: (service, line, i) => {
        logs.push(`${service}#${i + 1} ${line}`)
        if (logs.length > 5000) logs.shift()
        if (process.env.E2E_LOGS) console.log(service, i + 1, line)
      },
    })
  } catch (e) {
    console.log(logs.slice(-40).join('\n'))
    throw e
  }
  const nc = await connectAs(natsUrl, 'operator', { reconnectTimeWait: 250, maxReconnectAttempts: -1 })
  const userToSlug = new Map(sim.world.list().map((c) => [c.user_id, c.slug]))

  return {
    db, sim, simUrl, fronts, stack, nc, logs, cluster,
    /** Slugs each poller asked Kick's live-state endpoint about since `since` (performance.now()). */
    polledBy(since: number): Set<string>[] {
      return fronts.map((f) => new Set(f.hits.filter((h) => h.at >= since && isLivestreams(h) && h.status === 200).flatMap((h) => (h.userIds ?? []).map((id) => userToSlug.get(id)!))))
    },
    /** Which poller (0-based) leads now: the one that joined first, as the pollers see it in their bucket. */
    async leader(): Promise<number> {
      const kv = await new Kvm(nc).open(MEMBERS_BUCKET)
      const members: { id: string; started_at: string }[] = []
      for await (const k of await kv.keys()) {
        const e = await kv.get(k)
        if (e?.operation === 'PUT') members.push(e.json())
      }
      members.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id))
      return Number(members[0]!.id.replace('poller-', '')) - 1
    },
    remove: (slug: string) => request(nc, PollerApi.remove.subject, { slug }, PollerApi.remove.output, { timeout: 15_000 }),
    add: (slug: string) => request(nc, PollerApi.add.subject, { slug }, PollerApi.add.output, { timeout: 15_000 }),
    list: () => request(nc, PollerApi.list.subject, {}, PollerApi.list.output, { timeout: 10_000 }),
    get: (slug: string) => request(nc, PollerApi.get.subject, { slug }, PollerApi.get.output, { timeout: 10_000 }),
    async destroy() {
      await nc.close()
      await stack.stop()
      for (const f of fronts) await f.down()
      await sim.stop()
      await cluster?.destroy()
      await single?.destroy()
      await db.drop()
    },
  }
}
export type ScaledEnv = Awaited<ReturnType<typeof scaledEnv>>

/** The admin's session cookie on this gateway (sessions live in auth, so any gateway accepts it). */
export async function login(gatewayUrl: string): Promise<string> {
  return (await gatewayLogin(gatewayUrl, ADMIN)).cookie
}

/** `GET /api/v1/stream` as a dashboard would hold it: every `status` event, with when it arrived. */
export async function liveFeed(gatewayUrl: string, cookie: string) {
  const abort = new AbortController()
  const res = await fetch(`${gatewayUrl}/api/v1/stream`, { headers: { cookie }, signal: abort.signal })
  if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status}`)
  const statuses: (StreamerStatus & { receivedAt: number })[] = []
  let snapshot: StreamerStatus[] | null = null
  const done = readSse(res.body, (event, data) => {
    if (event === 'status') statuses.push({ ...StreamerStatus.parse(JSON.parse(data)), receivedAt: performance.now() })
    if (event === 'snapshot') snapshot = JSON.parse(data)
  })
  return {
    statuses,
    snapshot: () => snapshot,
    /** The first `status` for `slug` matching `pred` that arrived after `since`. */
    first: (slug: string, since: number, pred: (s: StreamerStatus) => boolean) => statuses.find((s) => s.slug === slug && s.receivedAt >= since && pred(s)),
    close: async () => {
      abort.abort()
      await done
    },
  }
}

export type { NatsConnection }
