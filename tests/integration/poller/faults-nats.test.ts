import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs } from '../../harness/nats-auth.ts'
import { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { history, historyProblems, listStreamers, stopPollerTest, watchStatuses } from './faults-kit.ts'
import type { InProcessPoller } from './poller-kit.ts'

// nats-server stopped and started again (same port, same JetStream store) while streams
// start and end: events published meanwhile reach PostgreSQL once, and every streamer's
// status is sent again after the reconnect, since core publishes during the gap are lost.

describe('poller across a NATS restart', () => {
  let env: TestEnv
  let poller: InProcessPoller
  let watcher: NatsConnection
  let statuses: ReturnType<typeof watchStatuses>
  let slugs: string[]

  beforeAll(async () => {
    env = await testEnv({ channels: 6 })
    slugs = env.sim.world.list().map((c) => c.slug)
    for (const s of slugs) env.sim.world.update(s, { live: false })
    await listStreamers(env.db.sql, slugs)
    poller = await inProcess('poller', env.config({ KICK_WEBHOOKS: 'off' }), (ctx) => startPoller(ctx))
    // A subscriber of our own, like a gateway: reconnects by itself and keeps its subscription.
    watcher = await connectAs(env.nats.url, 'operator', { maxReconnectAttempts: -1, reconnectTimeWait: 100 })
    statuses = watchStatuses(watcher)
    await eventually(() => slugs.every((s) => poller.result.monitor.get(s)?.stale === false), 15_000, 'every streamer read')
  }, 60_000)
  afterAll(async () => {
    await watcher?.close()
    await stopPollerTest({ poller, env })
  })

  test('events during the outage are recorded once; statuses are republished after the reconnect', async () => {
    const [ends, starts, quiet] = slugs
    env.sim.world.update(ends!, { live: true, viewers: 50 })
    await eventually(async () => (await history(env.db.sql, ends!)) === 'online', 10_000, 'online recorded before the outage')

    await env.nats.stop()
    const downAt = performance.now()
    env.sim.world.update(ends!, { live: false })
    env.sim.world.update(starts!, { live: true, viewers: 70, title: 'while NATS was down' })
    // The poller keeps detecting; its events wait for JetStream.
    await eventually(() => poller.result.monitor.get(ends!)?.live === false && poller.result.monitor.get(starts!)?.live, 15_000, 'both changes detected')
    expect(poller.result.committer.pending).toBeGreaterThan(0)
    await Bun.sleep(Math.max(0, 5000 - (performance.now() - downAt)))
    await env.nats.start()
    const upAt = performance.now()

    await eventually(async () => (await history(env.db.sql, ends!)) === 'online,offline', 20_000, 'the offline made during the outage recorded')
    await eventually(async () => (await history(env.db.sql, starts!)) === 'online', 20_000, 'the online made during the outage recorded')
    // A streamer that did not change at all is sent again: subscribers may have missed anything.
    await eventually(() => statuses.seen.some((s) => s.slug === quiet && s.receivedAt > upAt), 10_000, 'the quiet streamer republished')
    for (const slug of slugs) await eventually(() => statuses.seen.some((s) => s.slug === slug && s.receivedAt > upAt), 10_000, `${slug} republished`)
    expect(statuses.last(starts!)).toMatchObject({ live: true, viewers: 70, title: 'while NATS was down' })
    // The KV (what a restarted poller or a reconnecting gateway reads) is current again.
    const kv = await new Kvm(watcher).open('kick-status')
    await eventually(async () => StreamerStatus.parse((await kv.get(starts!))!.json()).live === true, 10_000, 'the KV to say live')
    await eventually(async () => StreamerStatus.parse((await kv.get(ends!))!.json()).live === false, 10_000, 'the KV to say offline')
    expect(await historyProblems(env.db.sql)).toEqual([])
  }, 90_000)

  test('the restart doubled nothing: a fresh stream afterwards is recorded once', async () => {
    const slug = slugs[3]!
    env.sim.world.update(slug, { live: true, viewers: 5 })
    await eventually(async () => (await history(env.db.sql, slug)) === 'online', 10_000, 'online')
    env.sim.world.update(slug, { live: false })
    await eventually(async () => (await history(env.db.sql, slug)) === 'online,offline', 10_000, 'online,offline')
    expect(await historyProblems(env.db.sql)).toEqual([])
    const [row] = await env.db.sql<{ n: number }[]>`select count(*)::int as n from status_events`
    expect(row!.n).toBe(5) // ends: online+offline, starts: online, this one: online+offline
  })
})
