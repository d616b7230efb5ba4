import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { unknownStatus } from '../../../shared/src/contracts/status.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { STATUS_BUCKET } from '../../../shared/src/contracts/names.ts'
import { StatusStore } from '../../../services/gateway/src/live/status-store.ts'
import { testNatsWithClients, type TestNatsClients } from '../../harness/infra.ts'
import { eventually } from '../../harness/services.ts'

// The gateway's view of every streamer comes from the KV `kick-status` plus `kick.status.>`.
// A status already in the KV that the gateway could not read at start (no bucket yet, or
// JetStream too busy to answer) must still arrive: a quiet streamer is never published again.
let nats: TestNatsClients
let nc: NatsConnection
beforeAll(async () => {
  nats = await testNatsWithClients('operator')
  nc = nats.clients[0]!
})
afterAll(() => nats?.destroy())

test('a store started before the bucket existed reads the statuses put there later without a publish', async () => {
  const store = new StatusStore(nc, createLogger('test', 'silent'))
  await store.start()
  expect(store.all()).toEqual([])
  // What a poller wrote while this gateway could not hear it: KV only, no kick.status publish.
  const kv = await new Kvm(nc).create(STATUS_BUCKET, { history: 1 })
  for (const slug of ['quiet_one', 'quiet_two']) await kv.put(slug, JSON.stringify({ ...unknownStatus(slug), stale: false, checked_at: new Date().toISOString() }))
  await eventually(() => store.all().length === 2, 15_000, 'both statuses read from the KV')
  store.stop()
})

test('a status put in the KV after the store read it, whose core publish it never heard, still arrives', async () => {
  // The poller publishes kick.status first and writes the KV a moment later: a gateway that
  // subscribed just after the publish and listed the KV just before the write saw neither.
  const store = new StatusStore(nc, createLogger('test', 'silent'))
  await store.start()
  const before = store.all().length
  const kv = await new Kvm(nc).open(STATUS_BUCKET)
  await kv.put('late_one', JSON.stringify({ ...unknownStatus('late_one'), stale: false, checked_at: new Date().toISOString() }))
  await eventually(() => store.get('late_one') !== null, 15_000, 'the late KV write')
  expect(store.all().length).toBe(before + 1)
  store.stop()
})
