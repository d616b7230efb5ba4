// webhook-consumer: JetStream alone on the webhook path, without HTTP or signatures: the gateway's
// identity publishes delivery-shaped messages into KICK_WEBHOOKS (64 in flight, with Kick's
// headers and message ids, so the duplicate window works as in production) while the poller's
// own WebhookConsumer, as the poller's identity, reads and acknowledges them. Rounds on one
// nats-server show whether its cost per delivery grows as deliveries accumulate; `--auth off`
// runs the server without authentication, to separate the permissions' cost from JetStream's.
import { connect, headers, type NatsConnection } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { z } from 'zod'
import { connectAs, testNatsAuth } from '../tests/harness/nats-auth.ts'
import { startPrivateInfra } from '../scripts/infra/private-infra.ts'
import { ensureNatsResources, ensureWebhookStream } from '../shared/src/nats-resources.ts'
import { subjects } from '../shared/src/contracts/names.ts'
import { WebhookConsumer } from '../services/poller/src/webhooks/consumer.ts'
import { flag, int, parseArgs } from './lib/args.ts'
import { cpuSeconds, natsServerPid } from './lib/rss.ts'
import { printTable, summarize, writeResult } from './lib/stats.ts'

const a = parseArgs({ deliveries: int(20_000, 100, 500_000), rounds: int(3, 1, 10), inflight: int(64, 1, 1000), auth: z.enum(['on', 'off']).default('on'), quick: flag })
const perRound = a.quick ? Math.min(a.deliveries, 5000) : a.deliveries
const infra = await startPrivateInfra(a.auth === 'on' ? { authConf: testNatsAuth().authConf } : {})
const as = (identity: 'poller' | 'gateway'): Promise<NatsConnection> =>
  a.auth === 'on' ? connectAs(infra.nats.url, identity, { noAsyncTraces: true }) : connect({ servers: infra.nats.url.replace(/^nats:\/\//, ''), noAsyncTraces: true })
const rows: Record<string, unknown>[] = []
try {
  const pollerNc = await as('poller')
  await ensureNatsResources(pollerNc)
  const js = await ensureWebhookStream(await as('gateway'))
  // No streamer matches: the consumer's own work is reading, checking and acknowledging.
  const monitor = { applyByUserId: () => false, apply: () => false }
  const stats = { webhooks: { received: 0, duplicates: 0, malformed: 0, otherEvents: 0, tooOld: 0, unmatched: 0 }, webhookLag() {} }
  const quiet = { info() {}, warn() {}, error() {} }
  const consumer = new WebhookConsumer(pollerNc, jetstream(pollerNc), monitor as never, stats as never, quiet as never, { maxAgeMs: 600_000, instanceId: 'bench' })
  await consumer.start()
  const natsPid = natsServerPid(infra.nats.port)
  const ts = new Date().toISOString()
  const type = 'livestream.status.updated'
  for (let round = 1; round <= a.rounds; round++) {
    const before = stats.webhooks.received
    let next = 0
    const t0 = performance.now()
    const cpu0 = cpuSeconds(natsPid) ?? 0
    await Promise.all(Array.from({ length: a.inflight }, async () => {
      while (next < perRound) {
        const i = next++
        const id = `bench-r${round}-${i}`
        const body = JSON.stringify({ broadcaster: { is_anonymous: false, user_id: 900_000_000 + i, username: `c${i}`, is_verified: false, profile_picture: null, channel_slug: `c${i}`, identity: null }, is_live: true, title: 'bench', started_at: ts, ended_at: null })
        const h = headers()
        for (const [k, v] of Object.entries({ 'Kick-Event-Message-Id': id, 'Kick-Event-Subscription-Id': 'bench', 'Kick-Event-Signature': 'x'.repeat(344), 'Kick-Event-Message-Timestamp': ts, 'Kick-Event-Type': type, 'Kick-Event-Version': '1' })) h.set(k, v)
        await js.publish(subjects.webhook(type), body, { headers: h, msgID: id })
      }
    }))
    const stored = (performance.now() - t0) / 1000
    const natsCpu = ((cpuSeconds(natsPid) ?? 0) - cpu0) / stored
    // Then until the consumer has read this round's deliveries.
    const deadline = Date.now() + 120_000
    while (stats.webhooks.received - before < perRound && Date.now() < deadline) await Bun.sleep(20)
    const consumed = (performance.now() - t0) / 1000
    rows.push({ round, deliveries: perRound, 'stored/s': Math.round(perRound / stored), 'stored and consumed/s': Math.round((stats.webhooks.received - before) / consumed), 'nats-server CPU % while storing': Math.round(natsCpu * 100) })
    await Bun.sleep(1000)
  }
  await consumer.stop()
  printTable(`webhook-consumer: KICK_WEBHOOKS publish → poller's WebhookConsumer (authentication ${a.auth}, ${a.inflight} in flight)`, rows)
  const rates = rows.map((r) => r['stored/s'] as number)
  console.log(`\nwrote ${writeResult('webhook-consumer', { options: a, median_stored_per_s: summarize(rates).p50, rounds: rows })}`)
} finally {
  await infra.destroy()
}
process.exit(0)
