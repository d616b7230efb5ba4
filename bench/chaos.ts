// `bun run chaos`: the fault suite. A storm of 1000 streamers going live and offline in
// kick-sim while, in turn, each process is killed with SIGKILL and restarted, each is paused
// (SIGSTOP) and resumed, and kick-sim misbehaves (429s, 5xx, connection resets, dropped and
// duplicated webhooks). A checker then compares what kick-sim did with what PostgreSQL
// recorded and what a dashboard showed. Exit status 1 if anything was lost or doubled.
// docs/chaos.md explains the storm's timing rules and how to read the report.
import { z } from 'zod'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { killNats, killPostgres, killService, pause, simBurst, type Fault } from './lib/chaos/faults.ts'
import { describe, runChaos } from './lib/chaos/run-chaos.ts'
import { printTable, writeResult } from './lib/stats.ts'

const a = parseArgs({
  streamers: int(1000, 10, 20_000), interval: num(2, 1, 60), grace: num(5, 0, 600), webhooks: z.enum(['on', 'off']).default('on'),
  pauseS: int(5, 1, 60), burstS: int(8, 1, 120), downS: num(2, 0, 60), only: z.string().optional(), quick: flag,
})
const ms = (s: number) => s * 1000
const kickPaths = ['/public/', '/oauth/']
const all: Fault[] = [
  killService('poller'), killService('auth'), killService('gateway'), killNats(ms(a.downS)), killPostgres(ms(a.downS)),
  pause('poller', ms(a.pauseS)), pause('auth', ms(a.pauseS)), pause('gateway', ms(a.pauseS)), pause('nats-server', ms(a.pauseS)), pause('PostgreSQL', ms(a.pauseS)),
  simBurst('kick-sim 429s', { rateLimit: { rps: 2, burst: 2, retryAfter: true }, paths: kickPaths }, ms(a.burstS)),
  simBurst('kick-sim 5xx', { errorRate: 0.5, paths: kickPaths }, ms(a.burstS)),
  simBurst('kick-sim connection resets', { resetRate: 0.5, paths: kickPaths }, ms(a.burstS)),
  simBurst('webhooks dropped', { webhook: { dropRate: 0.5 } }, ms(a.burstS)),
  simBurst('webhooks duplicated', { webhook: { duplicateRate: 0.5, duplicateNewIdRate: 0.5 } }, ms(a.burstS)),
]
const only = a.only?.split(',').map((s) => s.trim().toLowerCase())
const faults = a.quick ? all.filter((f) => f.name.startsWith('kill -9')) : only ? all.filter((f) => only.some((o) => f.name.toLowerCase().includes(o))) : all
// Longest outage: a pause, a kick-sim burst, or a restart (NATS/PostgreSQL down time + their start).
const maxFaultS = Math.max(a.pauseS, a.burstS, a.downS + 3)
const holdMin = Math.ceil(maxFaultS + a.grace + 3 * a.interval) + 10

console.log(`chaos: ${faults.length} faults under a storm of ${a.streamers} streamers (POLL_INTERVAL_S=${a.interval}, OFFLINE_GRACE_S=${a.grace}, KICK_WEBHOOKS=${a.webhooks})`)
const t0 = performance.now()
const r = await runChaos({
  streamers: a.streamers, pollIntervalS: a.interval, graceS: a.grace, webhooks: a.webhooks,
  maxFaultS, holdS: [holdMin, holdMin + 20], faults, warmupS: 10, gapS: 5, recoveryTimeoutS: 60,
})
const secs = (v: number | null) => (v === null ? 'NEVER' : (v / 1000).toFixed(1))
printTable('faults (times from the moment the process is back; target: dashboards right again ≤ 5 s)', r.faults.map((f) => ({
  fault: f.fault, 'outage s': (f.outage_ms / 1000).toFixed(1), 'changes meanwhile': f.changes_during,
  'within detection bounds after s': secs(f.recovered_ms), 'every streamer right after s': secs(f.settled_ms), error: f.error ?? '',
})))
const c = r.check
printTable('what kick-sim did vs what was recorded and shown', [
  { check: 'streams run by kick-sim', count: c.streams },
  { check: 'of which ended', count: c.ended },
  { check: 'online / offline events in PostgreSQL', count: `${c.events.online} / ${c.events.offline}` },
  { check: 'lost events', count: c.lost.length },
  { check: 'doubled events', count: c.doubled.length },
  { check: 'events for streams that never ran', count: c.phantom.length },
  { check: 'out-of-order events', count: c.outOfOrder.length },
  { check: 'stream sessions lost / doubled / unclosed / closed early', count: `${c.sessions.lost.length} / ${c.sessions.doubled.length} / ${c.sessions.unclosed.length} / ${c.sessions.wronglyClosed.length}` },
  { check: 'dashboard: streams never shown / shown twice / shown but not live', count: `${c.dashboard.lost.length} / ${c.dashboard.doubled.length} / ${c.dashboard.phantom.length}` },
  { check: 'stuck (PostgreSQL or dashboard disagree at the end)', count: c.stuck.length },
  { check: 'service exits nobody caused', count: Object.values(r.unexpectedExits).reduce((n, x) => n + x, 0) },
  { check: 'dashboard reconnects', count: r.dashboardReconnects },
])
const problems = describe(r)
if (problems.length) console.log('\n' + problems.join('\n'))
console.log(`\n${r.ok ? 'OK' : 'FAILED'}: ${r.changes} changes, ${r.failures} problems, ${((performance.now() - t0) / 60_000).toFixed(1)} min`)
console.log(`wrote ${writeResult('chaos', r as unknown as Record<string, unknown>)}`)
process.exit(r.ok ? 0 : 1)
