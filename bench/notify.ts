// The notifier under load (docs/notifications.md, figures in docs/performance.md):
// 1,000 rules over 1,000 streamers (100 signed-webhook channels of 10 rules each, to
// notify-sim's receiver), 100 stream changes a second published into KICK_EVENTS as the poller
// does. Reports event → first byte at the provider (p50/p99), deliveries lost and doubled under
// kill -9 of the notifier and of nats-server mid-burst (and what was in flight at the kill),
// and the notifier's RSS. The notifier runs as its own process, as in production.
//   bun bench/notify.ts [--rate 100] [--seconds 20] [--quick]
import { jetstream } from '@nats-io/jetstream'
import { join } from 'node:path'
import { z } from 'zod'
import { createTestDb, testNats } from '../tests/harness/infra.ts'
import { connectAs, natsEnv } from '../tests/harness/nats-auth.ts'
import { adminSubject } from '../shared/src/contracts/auth-internal.ts'
import { ensureNatsResources } from '../shared/src/nats-resources.ts'
import { NotifierApi } from '../shared/src/contracts/notifier.ts'
import { request } from '../shared/src/rpc.ts'
import { subjects } from '../shared/src/contracts/names.ts'
import type { StatusEvent, StreamerStatus } from '../shared/src/contracts/status.ts'
import { createNotifySim } from '../services/notify-sim/src/sim.ts'
import { flag, int, parseArgs } from './lib/args.ts'
import { rssMb, natsServerPid } from './lib/rss.ts'
import { printTable, summarize, writeResult } from './lib/stats.ts'

const a = parseArgs({ rate: int(100, 1, 2000), seconds: int(20, 1, 600), quick: flag })
const SECONDS = a.quick ? 8 : a.seconds
const STREAMERS = 1000
const CHANNELS = 100
const ROOT = join(import.meta.dir, '..')
const actor = { system: 'bench' } as const

const [db, nats] = await Promise.all([createTestDb(), testNats()])
const sim = createNotifySim()
const { url: simUrl } = sim.listen(0)
// As the operator (the CLI's identity): publishes events as the poller would, and manages channels.
const nc = await connectAs(nats, 'operator', { maxReconnectAttempts: -1, reconnectTimeWait: 200 })
await ensureNatsResources(nc)
const js = jetstream(nc)

let notifier: ReturnType<typeof Bun.spawn> | null = null
const startNotifier = () => {
  notifier = Bun.spawn(['bun', join(ROOT, 'services/notifier/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, NATS_URL: nats.url, NOTIFIER_PORT: '0', NOTIFY_ALLOW_HOSTS: '127.0.0.1', NOTIFY_ENCRYPTION_KEY: 'cd'.repeat(32), LOG_LEVEL: 'error', ...natsEnv('notifier') },
    stdout: 'ignore', stderr: 'inherit',
  })
}
const call = <K extends keyof typeof NotifierApi>(k: K, body: unknown) => request(nc, adminSubject(NotifierApi[k].subject), body, NotifierApi[k].output as z.ZodType, { timeout: 10_000 }) as Promise<z.infer<(typeof NotifierApi)[K]['output']>>

startNotifier()
for (let i = 0; ; i++) {
  try {
    await call('channelsList', { actor })
    break
  } catch {
    if (i > 300) throw new Error('the notifier did not start')
    await Bun.sleep(200)
  }
}
const slugs = Array.from({ length: STREAMERS }, (_, i) => `bench-${i}`)
for (let c = 0; c < CHANNELS; c++) {
  const { channel } = await call('channelsCreate', { actor, type: 'webhook', name: `bench ${c}`, config: { url: `${simUrl}/_sim/receiver/c${c}` } })
  for (let r = 0; r < STREAMERS / CHANNELS; r++) await call('rulesCreate', { actor, channel_id: channel.id, streamers: [slugs[c * (STREAMERS / CHANNELS) + r]!], events: ['online', 'offline'], cooldown_s: 0 })
}
console.log(`${CHANNELS} channels, ${STREAMERS} rules over ${STREAMERS} streamers`)

const status = (slug: string, live: boolean, started: string): StreamerStatus => ({
  slug, kick_user_id: null, username: slug, live, viewers: live ? 100 : 0, viewers_hidden: false, title: 't', category: null,
  started_at: live ? started : null, stream_id: null, profile_picture_url: null, source: 'api', checked_at: null, changed_at: null, stale: false,
})
// Each streamer alternates online/offline with a fresh start, so every event is a new delivery.
const liveNow = new Map<string, string>()
let seq = 0
function nextEvent(): StatusEvent {
  const slug = slugs[seq++ % STREAMERS]!
  const at = new Date().toISOString()
  const started = liveNow.get(slug)
  if (started) {
    liveNow.delete(slug)
    return { id: `${slug}:offline:${started}`, type: 'offline', slug, at, status: status(slug, false, started), previous: status(slug, true, started) }
  }
  const s = new Date(Date.now() - (seq % 1000)).toISOString()
  liveNow.set(slug, s)
  return { id: `${slug}:online:${s}`, type: 'online', slug, at, status: status(slug, true, s), previous: null }
}

/** Publish at `rate`/s for `seconds`; JetStream acks awaited (retried through an outage). */
async function burst(seconds: number, during?: (elapsedS: number) => Promise<void> | void) {
  const published = new Map<string, number>() // event id → publish time
  const t0 = Date.now()
  let fired = false
  for (let i = 0; i < seconds * a.rate; i++) {
    const due = t0 + (i * 1000) / a.rate
    const wait = due - Date.now()
    if (wait > 0) await Bun.sleep(wait)
    if (during && !fired && Date.now() - t0 > (seconds * 1000) / 3) {
      fired = true
      await during((Date.now() - t0) / 1000)
    }
    const e = nextEvent()
    published.set(e.id, Date.parse(e.at))
    for (;;) {
      try {
        await js.publish(subjects.event(e.slug, e.type), JSON.stringify(e), { msgID: e.id, timeout: 2000 })
        break
      } catch {
        await Bun.sleep(100) // nats-server away: the poller retries the same way
      }
    }
  }
  return published
}

/** Wait until every published event has arrived (or the deadline); lost, doubled, latencies. */
async function settle(published: Map<string, number>, since: number, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs
  let got = sim.inbox.items.filter((r) => r.provider === 'receiver' && r.seq > since && r.status === 200)
  const idOf = (r: (typeof got)[number]) => (JSON.parse(String(r.body)) as { data: { event_id: string } }).data.event_id
  while (Date.now() < deadline) {
    got = sim.inbox.items.filter((r) => r.provider === 'receiver' && r.seq > since && r.status === 200)
    if (new Set(got.map(idOf)).size >= published.size) break
    await Bun.sleep(250)
  }
  const byEvent = new Map<string, number[]>()
  for (const r of got) byEvent.set(idOf(r), [...(byEvent.get(idOf(r)) ?? []), r.at])
  const lost = [...published.keys()].filter((id) => !byEvent.has(id)).length
  const doubled = [...byEvent.values()].filter((v) => v.length > 1).length
  const latencies = [...byEvent.entries()].filter(([id]) => published.has(id)).map(([id, at]) => Math.min(...at) - published.get(id)!)
  return { lost, doubled, latency: summarize(latencies), received: got.length }
}

const lastSeq = () => sim.inbox.items.at(-1)?.seq ?? 0
const inFlight = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from notify_deliveries where status = 'sending'`)[0]!.n

// 1. Steady load.
let mark = lastSeq()
const steady = await burst(SECONDS)
const s1 = await settle(steady, mark, 60_000)
const rssLoad = rssMb(notifier!.pid)
await Bun.sleep(a.quick ? 3000 : 10_000)
const rssIdle = rssMb(notifier!.pid)
console.log(`steady: ${steady.size} events, lost ${s1.lost}, doubled ${s1.doubled}, p50 ${s1.latency.p50} ms, p99 ${s1.latency.p99} ms; RSS ${rssLoad?.toFixed(1)} MB loaded, ${rssIdle?.toFixed(1)} MB idle`)

// 2. kill -9 of the notifier a third into a burst, started again at once.
mark = lastSeq()
let killedInFlight = 0
const k1 = await burst(SECONDS, async () => {
  notifier!.kill('SIGKILL')
  await notifier!.exited
  killedInFlight = await inFlight()
  startNotifier()
})
const s2 = await settle(k1, mark, 120_000)
console.log(`kill -9 notifier: ${k1.size} events, lost ${s2.lost}, doubled ${s2.doubled} (in flight at the kill: ${killedInFlight})`)

// 3. kill -9 of nats-server a third into a burst, started again after 2 s.
mark = lastSeq()
let natsInFlight = 0
const k2 = await burst(SECONDS, async () => {
  const pid = natsServerPid(nats.port)
  if (pid) process.kill(pid, 'SIGKILL')
  natsInFlight = await inFlight()
  await Bun.sleep(2000)
  await nats.start()
})
const s3 = await settle(k2, mark, 180_000)
console.log(`kill -9 nats-server: ${k2.size} events, lost ${s3.lost}, doubled ${s3.doubled} (in flight at the kill: ${natsInFlight})`)

const rows = [
  { phase: 'steady', events: steady.size, lost: s1.lost, doubled: s1.doubled, in_flight_at_kill: '–', p50_ms: s1.latency.p50, p99_ms: s1.latency.p99 },
  { phase: 'kill -9 notifier', events: k1.size, lost: s2.lost, doubled: s2.doubled, in_flight_at_kill: killedInFlight, p50_ms: s2.latency.p50, p99_ms: s2.latency.p99 },
  { phase: 'kill -9 nats-server', events: k2.size, lost: s3.lost, doubled: s3.doubled, in_flight_at_kill: natsInFlight, p50_ms: s3.latency.p50, p99_ms: s3.latency.p99 },
]
printTable(`notifier: ${STREAMERS} rules, ${a.rate} changes/s for ${SECONDS} s per phase`, rows)
console.log(`notifier RSS: ${rssLoad?.toFixed(1)} MB after load, ${rssIdle?.toFixed(1)} MB idle`)
writeResult('notify', { rate: a.rate, seconds: SECONDS, rules: STREAMERS, channels: CHANNELS, phases: rows, rss_mb: { loaded: rssLoad, idle: rssIdle } })

notifier!.kill('SIGTERM')
await notifier!.exited
await nc.close()
await sim.stop()
await nats.destroy()
await db.drop()
process.exit(0)
