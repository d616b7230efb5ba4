import { afterAll, expect, test } from 'bun:test'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs, testNatsAuth } from '../../harness/nats-auth.ts'
import { ensureNatsResources } from '../../../shared/src/nats-resources.ts'
import { EVENTS_STREAM, STATUS_BUCKET } from '../../../shared/src/contracts/names.ts'
import { startLocalNatsCluster, type LocalNatsCluster } from '../../../scripts/infra/nats-cluster.ts'
import { testNats } from '../../harness/infra.ts'

// A poller that starts while the NATS cluster has no JetStream quorum (nodes still coming
// up, a leader being elected) must wait for it, not crash on the first request's timeout:
// CI once lost a whole scaling suite to exactly that.

const open: { nc?: NatsConnection; cluster?: LocalNatsCluster } = {}
afterAll(async () => {
  await open.nc?.close()
  await open.cluster?.destroy()
}, 30_000)

test('with one node of three up, the streams and bucket are created once a second node joins', async () => {
  const cluster = (open.cluster = await startLocalNatsCluster({ auth: testNatsAuth() }))
  cluster.kill(1)
  cluster.kill(2)
  const nc = (open.nc = await connectAs(cluster.nodes[0]!.url, 'operator', { reconnectTimeWait: 250, maxReconnectAttempts: -1 }))
  const retries: string[] = []
  const started = Date.now()
  const ensured = ensureNatsResources(nc, 3, (err) => retries.push((err as Error).message))
  let settled = false
  void ensured.finally(() => (settled = true)).catch(() => {})

  await Bun.sleep(6000)
  expect(settled).toBe(false) // no quorum: nothing can be created, and it has not given up
  await cluster.start(1)
  await cluster.start(2)
  const { kv } = await ensured
  expect(retries.length).toBeGreaterThan(0)
  expect(Date.now() - started).toBeGreaterThan(6000)

  const jsm = await jetstreamManager(nc)
  expect((await jsm.streams.info(EVENTS_STREAM)).config.num_replicas).toBe(3)
  expect((await jsm.streams.info(`KV_${STATUS_BUCKET}`)).config.num_replicas).toBe(3)
  await kv.put('someone', '{}')
  expect((await kv.get('someone'))?.string()).toBe('{}')
}, 120_000)

test('a mistake that waiting cannot fix (three replicas on a single server) fails at once with the server’s reason', async () => {
  const nats = await testNats()
  const nc = await connectAs(nats.url, 'operator')
  try {
    const started = Date.now()
    const retries: unknown[] = []
    const err = await ensureNatsResources(nc, 3, (e) => retries.push(e)).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/replicas/i)
    expect(retries).toHaveLength(0)
    expect(Date.now() - started).toBeLessThan(10_000)
  } finally {
    await nc.close()
    await nats.destroy()
  }
})
