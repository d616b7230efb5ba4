// What authentication and per-identity permissions cost a NATS request: round trips through
// one nats-server without authentication, and through one with the shipped permissions
// (deploy/nats/permissions.ts) where the requester is `gateway` and the responder `poller`.
// Rounds alternate between the two servers so machine noise falls on both alike.
//   bun bench/nats-auth.ts [--requests 20000] [--rounds 6]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { z } from 'zod'
import { ensureNatsAuth } from '../scripts/infra/nats-auth.ts'
import { startLocalNats } from '../scripts/infra/nats.ts'
import { natsAuthOptions } from '../shared/src/nats-credentials.ts'
import { identityOptions } from '../shared/src/nats-identity.ts'
import { parseArgs } from './lib/args.ts'
import { percentile } from './lib/stats.ts'

const a = parseArgs({ requests: z.coerce.number().int().min(100).default(20_000), rounds: z.coerce.number().int().min(1).default(6) })
const SUBJECT = 'poller.bench.echo' // the gateway may request poller.>, the poller answers there

const dir = mkdtempSync(join(tmpdir(), 'kickmon-bench-nats-auth-'))
const keys = ensureNatsAuth(join(dir, 'keys'))
const [open, secured] = await Promise.all([startLocalNats({ storeDir: join(dir, 'open') }), startLocalNats({ storeDir: join(dir, 'secured'), authConf: keys.authConf })])

const as = (url: string, identity: 'gateway' | 'poller', auth: boolean): Promise<NatsConnection> =>
  connect({ servers: url, ...identityOptions(identity), ...(auth ? natsAuthOptions({ NATS_NKEY_SEED_FILE: keys.seeds[identity] }) : {}) })

async function pair(url: string, auth: boolean) {
  const responder = await as(url, 'poller', auth)
  responder.subscribe(SUBJECT, { callback: (_e, m) => void m.respond(m.data) })
  await responder.flush()
  const requester = await as(url, 'gateway', auth)
  return { responder, requester }
}

const sides = { 'no auth': await pair(open.url, false), 'nkey + permissions': await pair(secured.url, true) }
const body = JSON.stringify({ slug: 'xqc' })
const samples: Record<string, number[]> = { 'no auth': [], 'nkey + permissions': [] }
const elapsed: Record<string, number> = { 'no auth': 0, 'nkey + permissions': 0 }

// Warm-up, then alternating rounds of sequential request/reply round trips.
for (const s of Object.values(sides)) for (let i = 0; i < 2000; i++) await s.requester.request(SUBJECT, body, { timeout: 5000 })
const perRound = Math.ceil(a.requests / a.rounds)
for (let r = 0; r < a.rounds; r++) {
  for (const [name, s] of Object.entries(sides)) {
    const t0 = performance.now()
    for (let i = 0; i < perRound; i++) {
      const t = performance.now()
      await s.requester.request(SUBJECT, body, { timeout: 5000 })
      samples[name]!.push((performance.now() - t) * 1000)
    }
    elapsed[name]! += performance.now() - t0
  }
}

console.log(`request/reply round trips, one nats-server on loopback, ${perRound * a.rounds} per side in ${a.rounds} alternating rounds`)
console.log('| server | p50 µs | p90 µs | p99 µs | requests/s |')
console.log('|---|---|---|---|---|')
for (const name of Object.keys(sides)) {
  const xs = samples[name]!
  console.log(`| ${name} | ${percentile(xs, 50)!.toFixed(0)} | ${percentile(xs, 90)!.toFixed(0)} | ${percentile(xs, 99)!.toFixed(0)} | ${Math.round((xs.length / elapsed[name]!) * 1000)} |`)
}

// And what connecting costs: the nkey handshake signs the server's nonce.
for (const [name, auth, url] of [['no auth', false, open.url], ['nkey + permissions', true, secured.url]] as const) {
  const t0 = performance.now()
  for (let i = 0; i < 50; i++) await (await as(url, 'gateway', auth)).close()
  console.log(`connect + close, ${name}: ${((performance.now() - t0) / 50).toFixed(2)} ms`)
}

for (const s of Object.values(sides)) {
  await s.requester.close()
  await s.responder.close()
}
await Promise.all([open.destroy(), secured.destroy()])
rmSync(dir, { recursive: true, force: true })
