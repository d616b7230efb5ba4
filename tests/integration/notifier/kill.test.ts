import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { eventually } from '../../harness/services.ts'
import { ADMIN_ACTOR, simJson, startNotifierHarness, type NotifierHarness } from './harness.ts'
import { natsEnv } from '../../harness/nats-auth.ts'

// Two notifier processes share the work; one is killed with SIGKILL in the middle of a burst
// and started again. Every event is delivered (nothing lost), and a delivery is sent twice at
// most when it was in flight at the kill (the claimed batch of the killed process).

const ROOT = join(import.meta.dir, '..', '..', '..')
const N = 300
let h: NotifierHarness
const procs: ReturnType<typeof Bun.spawn>[] = []

beforeAll(async () => {
  h = await startNotifierHarness()
}, 120_000)
afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL')
  await h?.stop()
})

function spawnNotifier() {
  const p = Bun.spawn(['bun', join(ROOT, 'services/notifier/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL: h.db.url, NATS_URL: h.nats.url, NOTIFIER_PORT: '0', NOTIFY_ALLOW_HOSTS: '127.0.0.1',
      NOTIFY_ENCRYPTION_KEY: 'cd'.repeat(32), LOG_LEVEL: 'warn', KICK_WEB_URL: 'https://kick.example', ...natsEnv('notifier'),
    },
    stdout: 'ignore', stderr: 'inherit',
  })
  procs.push(p)
  return p
}

test('kill -9 of one of two notifiers mid-burst: nothing lost, doubles only from what was in flight', async () => {
  const a = spawnNotifier()
  spawnNotifier()
  await eventually(() => h.n('channelsList', { actor: ADMIN_ACTOR }), 60_000, 'the notifiers to answer')
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'webhook', name: 'burst', config: { url: `${h.simUrl}/_sim/receiver/burst` } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: '*', events: ['online'] })
  await h.publish(h.online('warmup', new Date().toISOString()))
  const got = () => simJson<{ message_id: string; body: string }[]>(h, '/_sim/received?provider=receiver')
  await eventually(async () => (await got()).length === 1, 60_000, 'the notifiers to start')

  const started = new Date().toISOString()
  for (let i = 0; i < N; i++) await h.publish(h.online(`burst-${i}`, started))
  await eventually(async () => (await got()).length > 40, 30_000, 'the burst to be under way')
  a.kill('SIGKILL')
  await a.exited
  // What the killed process held: claimed, not finished.
  const [row] = await h.db.sql<{ inflight: number }[]>`select count(*)::int as inflight from notify_deliveries where status = 'sending'`
  const inflight = row!.inflight
  spawnNotifier()

  const all = await eventually(async () => {
    const r = await got()
    const slugs = new Set(r.map((x) => JSON.parse(x.body).data.streamer.slug))
    return slugs.size === N + 1 ? r : null
  }, 240_000, `all ${N + 1} events delivered`)
  await Bun.sleep(1000)
  const final = await got()
  const perId = new Map<string, number>()
  for (const r of final) perId.set(r.message_id, (perId.get(r.message_id) ?? 0) + 1)
  const doubled = [...perId.values()].filter((n) => n > 1).length
  console.log(`kill -9 mid-burst: ${N + 1} events, ${final.length} requests, ${doubled} doubled, ${inflight} in flight at the kill`)
  expect(all.length).toBeGreaterThanOrEqual(N + 1)
  expect(doubled).toBeLessThanOrEqual(inflight)
  const rows = await h.db.sql<{ status: string; n: number }[]>`select status, count(*)::int as n from notify_deliveries group by status`
  expect([...rows]).toEqual([{ status: 'sent', n: N + 1 }])
}, 400_000)
