import { afterAll, beforeAll, expect, test } from 'bun:test'
import { jetstream } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { StatusEvent, unknownStatus } from '../../../shared/src/contracts/status.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { ensureNatsResources } from '../../../shared/src/nats-resources.ts'
import { STATUS_BUCKET } from '../../../shared/src/contracts/names.ts'
import { StatusCommitter } from '../../../services/poller/src/recording/status-committer.ts'
import { testNatsWithClients, type TestNatsClients } from '../../harness/infra.ts'
import { eventually } from '../../harness/services.ts'

// A streamer removed while its latest status still waits to be written must stay out of the KV
// `kick-status`: a late write would bring it back on every gateway and every restarted poller.
let nats: TestNatsClients
let nc: NatsConnection
let kv: KV
beforeAll(async () => {
  nats = await testNatsWithClients('poller')
  nc = nats.clients[0]!
  kv = await new Kvm(nc).create(STATUS_BUCKET, { history: 1 })
})
afterAll(() => nats?.destroy())

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

test('a change without events submitted while an earlier one waits for its acknowledgement is what the KV keeps', async () => {
  // After a pause the poller applies a burst of readings: a change with events is followed,
  // before JetStream acknowledged them, by one without (a stale flag cleared, a viewer count, a
  // stream id learned). The acknowledged earlier status must not be written over the later one:
  // the KV would stay behind the poller's state until the streamer's next change, and a gateway
  // or a restarted poller reading it would show the earlier status.
  await ensureNatsResources(nc)
  const committer = new StatusCommitter(nc, jetstream(nc), kv, createLogger('test', 'silent'))
  committer.start()
  const at = new Date().toISOString()
  const wentLive = { ...unknownStatus('acked_late'), live: true, stale: false, started_at: at, checked_at: at, changed_at: at }
  const online = { id: `acked_late:online:${at}`, slug: 'acked_late', type: 'online' as const, at, status: wentLive, previous: unknownStatus('acked_late') }
  committer.submit(wentLive, [StatusEvent.parse(online)], true)
  const counted = { ...wentLive, viewers: 4242, checked_at: new Date(Date.parse(at) + 1).toISOString() }
  committer.submit(counted, [], true) // before the events above are acknowledged
  await eventually(async () => ((await kv.get('acked_late'))?.json() as { viewers?: number } | undefined)?.viewers === 4242, 10_000, 'the later status in the KV')
  await Bun.sleep(1500) // past another flush: nothing older written over it
  expect(((await kv.get('acked_late'))?.json() as { viewers: number }).viewers).toBe(4242)
  await committer.stop()
}, 30_000)
