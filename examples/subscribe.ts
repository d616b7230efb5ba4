// Follow Kick Streamer Monitor from your own code, with the read-only `subscriber` identity.
//
//   NATS_URL=nats://127.0.0.1:4222 NATS_NKEY_SEED_FILE=.data/nats/subscriber.nk bun examples/subscribe.ts
//   … --since 2026-06-20T00:00:00Z      first replay every event since then, then follow live
//
// Prints one line per change of a streamer's status (`kick.status.<slug>`). With `--since`, it
// also reads the JetStream stream KICK_EVENTS (`kick.events.<slug>.<type>`) through a durable
// consumer named by `--durable` (default `example-subscriber`): the server remembers what was
// acknowledged, so after a restart it resumes where it left off, missing and repeating nothing.
// Payloads are described in docs/nats.md. Needs only the official NATS client packages.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { connect, credsAuthenticator, nkeyAuthenticator, type Authenticator } from '@nats-io/transport-node'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'

const { values: args } = parseArgs({ options: { since: { type: 'string' }, durable: { type: 'string', default: 'example-subscriber' } } })
const since = args.since === undefined ? null : new Date(args.since)
if (since && Number.isNaN(since.getTime())) fail(`--since: not a date: ${args.since} (use an ISO time such as 2026-06-20T00:00:00Z)`)
if (!/^[A-Za-z0-9_-]{1,64}$/.test(args.durable!)) fail('--durable: 1 to 64 of A-Z a-z 0-9 _ -')

// Standard NATS credentials, read from files: a .creds file (user JWT + seed) or an nkey seed.
function authenticator(): Authenticator | undefined {
  const creds = process.env.NATS_CREDS
  const seed = process.env.NATS_NKEY_SEED_FILE
  try {
    if (creds) return credsAuthenticator(new Uint8Array(readFileSync(creds)))
    if (seed) return nkeyAuthenticator(new TextEncoder().encode(readFileSync(seed, 'utf8').trim()))
  } catch (e) {
    fail(`${creds ? 'NATS_CREDS' : 'NATS_NKEY_SEED_FILE'}: cannot read ${creds ?? seed}: ${(e as Error).message}`)
  }
  return undefined
}

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

const servers = (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim())
const nc = await connect({ servers, authenticator: authenticator(), name: 'example-subscriber', maxReconnectAttempts: -1 }).catch((e) =>
  fail(`cannot connect to ${servers.join(',')}: ${(e as Error).message}`),
)
const stop = async () => {
  await nc.drain().catch(() => {})
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

type Status = { slug: string; live: boolean; viewers: number; title: string | null; stale: boolean; checked_at: string }
type StatusEvent = { id: string; type: string; slug: string; at: string; status: Status }

// 1. Live statuses: a plain subscription (no history; the KV bucket `kick-status` holds the latest of each).
const statuses = nc.subscribe('kick.status.>')
;(async () => {
  for await (const m of statuses) {
    const s = m.json<Status>()
    const state = s.stale ? 'stale' : s.live ? `live ${s.viewers} viewers` : 'offline'
    console.log(`status ${s.slug} ${state}${s.live && s.title ? ` "${s.title}"` : ''}`)
  }
})()

// 2. Events since a time, then live, through a durable consumer that survives restarts.
if (since) {
  const jsm = await jetstreamManager(nc)
  const existing = await jsm.consumers.info('KICK_EVENTS', args.durable!).catch(() => null)
  if (existing) console.log(`resuming consumer ${args.durable} (--since applies only when it is first created)`)
  else
    await jsm.consumers.add('KICK_EVENTS', {
      durable_name: args.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
      filter_subject: 'kick.events.>',
      inactive_threshold: 7 * 24 * 3600 * 1e9, // removed by the server after a week unused
    })
  const consumer = await jetstream(nc).consumers.get('KICK_EVENTS', args.durable!)
  let caughtUp = (await consumer.info()).num_pending === 0
  if (caughtUp) console.log('caught up; following live')
  for await (const m of await consumer.consume()) {
    const e = m.json<StatusEvent>()
    console.log(`event ${e.at} ${e.slug} ${e.type}${e.type === 'title' ? ` "${e.status.title}"` : ''}`)
    m.ack()
    if (!caughtUp && m.info.pending === 0) {
      caughtUp = true
      console.log('caught up; following live')
    }
  }
}
