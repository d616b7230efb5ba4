import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { StreamerStatus, unknownStatus } from '../../../shared/src/contracts/status.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { ensureNatsResources } from '../../../shared/src/nats-resources.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { StatusStore } from '../../../services/gateway/src/live/status-store.ts'
import { Monitor } from '../../../services/poller/src/detection/monitor.ts'
import type { SnapshotWriter } from '../../../services/poller/src/recording/snapshot-writer.ts'
import { StatusCommitter } from '../../../services/poller/src/recording/status-committer.ts'
import type { MonitoredRow } from '../../../services/poller/src/channels/streamer-registry.ts'
import { testNatsWithClients, type TestNatsClients } from '../../harness/infra.ts'
import { eventually } from '../../harness/services.ts'

// `bun run chaos`, fault "SIGSTOP poller 5 s": while the poller is stopped, Kick's webhooks wait
// in JetStream. After SIGCONT it polls (readings stamped now) and applies the waiting webhooks,
// stamped with the time Kick sent them: seconds older. A stream that ended during the pause is
// polled "still live" by a request sent before it, then ended by its webhook. The gateway holds
// each streamer's status from kick.status (in order) and from the KV's writes, which trail by
// up to a second, taking a KV entry only when its checked_at is newer. If the end's status went
// back in checked_at, the KV write of the earlier "live" status, delivered after the end's
// kick.status, won: the dashboard showed the stream live (and missed the next one starting)
// until the streamer's next change, 30–50 s later. Here with the poller's own Monitor and
// committer and the gateway's StatusStore on a nats-server with the shipped permissions.
const SLUG = 'paused_poller'
let nats: TestNatsClients
let poller: NatsConnection
let gateway: NatsConnection
let kv: KV
beforeAll(async () => {
  nats = await testNatsWithClients('poller', 'gateway')
  ;[poller, gateway] = nats.clients as [NatsConnection, NatsConnection]
  kv = (await ensureNatsResources(poller)).kv
})
afterAll(() => nats?.destroy())

test('a webhook that waited while the poller was stopped ends the stream on the gateway, and a late KV write of the earlier status does not bring it back', async () => {
  const log = createLogger('test', 'silent')
  const committer = new StatusCommitter(poller, (await ensureNatsResources(poller)).js, kv, log)
  committer.start()
  const snapshots = { sample() {}, hidden() {}, status() {} } as unknown as SnapshotWriter
  const monitor = new Monitor({ graceMs: 5_000, staleMs: 60_000 }, committer, snapshots, log)
  monitor.sync([{ slug: SLUG, kick_user_id: null } as MonitoredRow], new Map([[SLUG, unknownStatus(SLUG)]]))

  const store = new StatusStore(gateway, log)
  await store.start()
  const published: StreamerStatus[] = []
  gateway.subscribe(subjects.status(SLUG), { callback: (_e, m) => void published.push(StreamerStatus.parse(m.json())) })

  const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString() // Kick's times: whole seconds
  const startedAt = second(Date.now() - 60_000)
  const live = { kind: 'live' as const, source: 'api' as const, title: 'on air', category: null, startedAt, streamId: 'stream-1' }
  monitor.apply(SLUG, { ...live, at: Date.now() - 10_000, viewers: 10 })
  await eventually(async () => (await kv.get(SLUG))?.json<StreamerStatus>().live === true, 10_000, 'the stream committed live')

  // SIGCONT: first a poll answered before the stream ended (stamped now: still live, a new count)…
  const resumed = Date.now()
  monitor.apply(SLUG, { ...live, at: resumed, viewers: 25 })
  await eventually(async () => (await kv.get(SLUG))?.json<StreamerStatus>().viewers === 25, 10_000, 'the live status with the new count in the KV')
  const earlier = await kv.get(SLUG)
  // …then the end's webhook, sent by Kick 3 s before (during the pause).
  const sent = resumed - 3_000
  monitor.apply(SLUG, { kind: 'ended', source: 'webhook', at: sent, startedAt, endedAt: second(sent) })
  await eventually(() => store.get(SLUG)?.live === false, 10_000, 'the end on the gateway')
  await eventually(async () => (await kv.get(SLUG))?.json<StreamerStatus>().live === false, 10_000, 'the end committed')

  // The poller's statuses never go back in time, however old the reading…
  const checked = published.map((s) => s.checked_at!)
  expect(checked).toEqual([...checked].sort())
  // …so the earlier status's KV write, delivered late (JetStream trails kick.status), loses.
  await kv.put(SLUG, earlier!.string())
  await Bun.sleep(1_000)
  expect(store.get(SLUG)).toMatchObject({ live: false })

  store.stop()
  await committer.stop()
}, 60_000)
