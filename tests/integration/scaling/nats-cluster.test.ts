import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { jetstreamManager } from '@nats-io/jetstream'
import { EVENTS_STREAM, STATUS_BUCKET, WEBHOOKS_STREAM } from '../../../shared/src/contracts/names.ts'
import { MEMBERS_BUCKET } from '../../../shared/src/contracts/poller.ts'
import { eventually } from '../../harness/services.ts'
import { history, historyProblems } from '../poller/faults-kit.ts'
import { INTERVAL_S, TTL_S, liveFeed, login, scaledEnv, type ScaledEnv } from './scaling-kit.ts'

// The same two pollers and two gateways on a three-node NATS cluster with NATS_REPLICAS=3:
// losing a NATS node (the one leading KICK_EVENTS) or a poller loses and doubles nothing.

let env: ScaledEnv
let slugs: string[]
const feeds: Awaited<ReturnType<typeof liveFeed>>[] = []

beforeAll(async () => {
  env = await scaledEnv({ pollers: 2, gateways: 2, channels: 10, cluster: true, env: { NATS_REPLICAS: '3' } })
  slugs = env.sim.world.list().map((c) => c.slug)
  for (const slug of slugs) if (env.sim.world.get(slug)!.live) env.sim.world.update(slug, { live: false })
  for (const url of env.stack.gatewayUrls) feeds.push(await liveFeed(url, await login(url)))
  for (const slug of slugs) await env.add(slug)
  await eventually(async () => (await env.list()).filter((s) => !s.stale).length === slugs.length, 30_000, 'every streamer read')
}, 180_000)

afterAll(async () => {
  for (const f of feeds) await f.close()
  await env?.destroy()
}, 60_000)

/** Both gateways' feeds show every one of `changed` live (after `since`). */
const onBothGateways = (changed: string[], since: number) => () => changed.every((slug) => feeds.every((f) => f.first(slug, since, (s) => s.live)))

describe('on a three-node NATS cluster (R3)', () => {
  test('the streams and both buckets have three replicas, current on every node', async () => {
    const jsm = await jetstreamManager(env.nc)
    for (const name of [EVENTS_STREAM, WEBHOOKS_STREAM, `KV_${STATUS_BUCKET}`, `KV_${MEMBERS_BUCKET}`]) {
      const info = await jsm.streams.info(name)
      expect(info.config.num_replicas).toBe(3)
      expect(info.cluster?.replicas?.length).toBe(2)
      expect(info.cluster?.replicas?.every((r) => r.current)).toBe(true)
    }
  }, 30_000)

  test('kill -9 the NATS node leading KICK_EVENTS: changes still reach both gateways and PostgreSQL once', async () => {
    const jsm = await jetstreamManager(env.nc)
    const leader = (await jsm.streams.info(EVENTS_STREAM)).cluster!.leader!
    const node = env.cluster!.nodes.findIndex((n) => n.name === leader)
    env.cluster!.kill(node)
    const changed = slugs.slice(0, 4)
    const since = performance.now()
    for (const slug of changed) env.sim.world.update(slug, { live: true, viewers: 11 })
    // A new stream leader is elected in a few seconds; the poller retries the events until acknowledged.
    await eventually(onBothGateways(changed, since), 30_000, 'the changes on both gateways')
    for (const slug of changed) await eventually(async () => (await history(env.db.sql, slug)) === 'online', 60_000, `${slug}: online recorded`)
    await env.cluster!.start(node)
    for (const slug of changed) env.sim.world.update(slug, { live: false })
    for (const slug of changed) await eventually(async () => (await history(env.db.sql, slug)) === 'online,offline', 60_000, `${slug}: online,offline`)
    expect(await historyProblems(env.db.sql)).toEqual([])
    await eventually(async () => (await jsm.streams.info(EVENTS_STREAM)).cluster?.replicas?.every((r) => r.current), 30_000, 'the node caught up')
  }, 150_000)

  test('kill -9 a poller: the other takes over its streamers', async () => {
    const since = performance.now()
    await Bun.sleep(2 * INTERVAL_S * 1000)
    const owned = env.polledBy(since)
    const victim = owned[0]!.size > 0 ? 0 : 1
    const orphans = [...owned[victim]!].filter((s) => !env.sim.world.get(s)!.live)
    expect(orphans.length).toBeGreaterThan(0)
    env.stack.pollers[victim]!.kill('SIGKILL')
    const changedAt = performance.now()
    for (const slug of orphans) env.sim.world.update(slug, { live: true, viewers: 3 })
    await eventually(onBothGateways(orphans, changedAt), (INTERVAL_S + TTL_S) * 1000 + 20_000, 'the orphans on both gateways')
    console.log(`cluster takeover: ${orphans.length} streamers seen on both gateways after ${(performance.now() - changedAt).toFixed(0)} ms`)
    for (const slug of orphans) env.sim.world.update(slug, { live: false })
    for (const slug of orphans) await eventually(async () => (await history(env.db.sql, slug)).endsWith('online,offline'), 60_000, `${slug} offline`)
    expect(await historyProblems(env.db.sql)).toEqual([])
  }, 120_000)
})
