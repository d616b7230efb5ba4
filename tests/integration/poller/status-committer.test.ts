import { afterAll, beforeAll, expect, test } from 'bun:test'
import { jetstream } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs } from '../../harness/nats-auth.ts'
import { unknownStatus } from '../../../shared/src/contracts.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { STATUS_BUCKET } from '../../../shared/src/subjects.ts'
import { StatusCommitter } from '../../../services/poller/src/status-committer.ts'
import { testNats, type LocalNats } from '../../harness/infra.ts'

// A streamer removed while its latest status still waits to be written must stay out of the KV
// `kick-status`: a late write would bring it back on every gateway and every restarted poller.
let nats: LocalNats
let nc: NatsConnection
let kv: KV
beforeAll(async () => {
  nats = await testNats()
  nc = await connectAs(nats.url, 'poller')
  kv = await new Kvm(nc).create(STATUS_BUCKET, { history: 1 })
})
afterAll(async () => {
  await nc?.close()
  await nats?.destroy()
})

test('removing a streamer drops its unwritten status; adding it back writes again', async () => {
  const committer = new StatusCommitter(nc, jetstream(nc), kv, createLogger('test', 'silent'))
  committer.start()
  const status = { ...unknownStatus('gone_soon'), stale: false, checked_at: new Date().toISOString() }
  committer.submit(status, [], true) // a change with no events: written at the next flush
  committer.remove('gone_soon')
  await Bun.sleep(1500) // past a flush
  expect(await kv.get('gone_soon').then((e) => e?.operation ?? null)).not.toBe('PUT')

  committer.submit({ ...status, checked_at: new Date().toISOString() }, [], true)
  await Bun.sleep(1500)
  expect((await kv.get('gone_soon'))?.operation).toBe('PUT')
  await committer.stop()
})
