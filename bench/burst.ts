// burst: every streamer changes at once; how long until every dashboard socket has every
// change, and how many were lost or arrived twice (docs/design.md#targets: consistent < 1 s, 0 lost).
import { z } from 'zod'
import { flag, int, parseArgs } from './lib/args.ts'
import { DashboardBench, printLogTail } from './lib/dashboard-bench.ts'
import { cpuSeconds, natsServerPid } from './lib/rss.ts'
import { scrapeHistogram, stageDelta } from './lib/stage-metrics.ts'
import { printTable, summarize, writeResult } from './lib/stats.ts'

const a = parseArgs({
  streamers: int(1000, 1, 20_000), clients: int(1000, 1, 5000), webhooks: z.enum(['on', 'off']).default('on'), quick: flag,
  /** Rounds (live ↔ offline alternating): 3 give a median and a spread; --quick is one unless this is given. */
  rounds: z.coerce.number().int().min(1).max(10).optional(),
  /** Write the services' CPU profiles (Bun's --cpu-prof, markdown too) into this directory. */
  profile: z.string().optional(),
})
const graceS = a.webhooks === 'on' ? 30 : 5
const d = await DashboardBench.start({ streamers: a.streamers, clients: a.clients, webhooks: a.webhooks, pollIntervalS: 10, offlineGraceS: graceS,
  env: a.profile ? { BUN_OPTIONS: `--cpu-prof --cpu-prof-md --cpu-prof-dir=${a.profile}` } : {} })
const rounds: Record<string, unknown>[] = []
const table: Record<string, unknown>[] = []
const stageTables: { round: number; stages: Record<string, unknown>[] }[] = []
try {
  const roundCount = a.rounds ?? (a.quick ? 1 : 3)
  for (let round = 1; round <= roundCount; round++) {
    await d.fleet.reset()
    await Bun.sleep(2000)
    const dupBefore = (await d.fleet.report()).duplicates
    const natsPid = natsServerPid(d.b.nats.port)
    const cpu = { 'kick-sim': () => cpuSeconds(d.b.proc('kick-sim').pid), gateway: () => cpuSeconds(d.b.proc('gateway').pid), poller: () => cpuSeconds(d.b.proc('poller').pid), 'nats-server': () => cpuSeconds(natsPid), 'ws-clients': () => d.fleet.pids.reduce((n, p) => n + (cpuSeconds(p) ?? 0), 0) }
    const metrics = `${d.b.gatewayUrl}/metrics`
    const ingress0 = await scrapeHistogram(metrics, 'webhook_ingress_stage_seconds', 'stage')
    const cpuBefore = Object.fromEntries(Object.entries(cpu).map(([k, f]) => [k, f()]))
    const wallBefore = performance.now()
    const changes = await d.driver.burst(d.slugs)
    for (let i = 0; i < changes.length; i += 200) d.fleet.expect(changes.slice(i, i + 200))
    const first = Math.min(...changes.map((c) => c.t0))
    const last = Math.max(...changes.map((c) => c.t0))
    // Polling sees a change within an interval, and an end only after the grace window.
    const deadline = Date.now() + (a.webhooks === 'on' ? 20_000 : (10 + graceS + 10) * 1000)
    await d.fleet.settle(deadline - Date.now())
    // CPU share of each process while the burst was being delivered: shows who the bottleneck was.
    const wallS = (performance.now() - wallBefore) / 1000
    const cpuShare = Object.fromEntries(Object.entries(cpu).map(([k, f]) => [k, Math.round((((f() ?? 0) - (cpuBefore[k] ?? 0)) / wallS) * 100)]))
    await Bun.sleep(2000) // anything arriving late now counts as a duplicate, not as latency
    const r = await d.fleet.report()
    const t0 = new Map(changes.map((c) => [c.id, c.t0]))
    const complete = r.changes.filter((c) => c.allAt !== null)
    const consistentMs = complete.length === changes.length ? Math.max(...complete.map((c) => c.allAt! - first)) : null
    const perChange = summarize(complete.map((c) => c.allAt! - t0.get(c.id)!))
    const status = d.watch.arrivals(changes)
    const statusLost = changes.filter((c) => status.get(c.id) == null).length
    const stored = d.webhooks.arrivals(changes)
    const storedMs = summarize(changes.filter((c) => stored.get(c.id) != null).map((c) => stored.get(c.id)! - c.t0))
    const statusMs = summarize(changes.filter((c) => status.get(c.id) != null).map((c) => status.get(c.id)! - c.t0))
    const counters = await d.b.sim.counters()
    const ingress = stageDelta(ingress0, await scrapeHistogram(metrics, 'webhook_ingress_stage_seconds', 'stage'))
    // Per change, where the time between two observed points went (every point on one clock).
    const between = (from: (c: (typeof changes)[number]) => number | null | undefined, to: (c: (typeof changes)[number]) => number | null | undefined) =>
      summarize(changes.flatMap((c) => { const f = from(c), t = to(c); return f != null && t != null ? [t - f] : [] }))
    const allAt = new Map(r.changes.map((c) => [c.id, c.allAt]))
    const stages = [
      ...(a.webhooks === 'on' ? [
        { stage: 'change sent → in JetStream (kick-sim signs and sends, gateway verifies, JetStream stores)', ...between((c) => c.t0, (c) => stored.get(c.id)) },
        ...ingress.map((x) => ({ stage: `  gateway: ${x.stage} (histogram: mean, p50/p99 bucket bound)`, n: x.n, p50: x.p50_ms_le, p99: x.p99_ms_le, mean: x.mean_ms })),
        { stage: 'in JetStream → kick.status (poller consumes, state machine, publishes)', ...between((c) => stored.get(c.id), (c) => status.get(c.id)) },
      ] : [{ stage: 'change sent → kick.status (polling)', ...between((c) => c.t0, (c) => status.get(c.id)) }]),
      { stage: 'kick.status → at every socket (gateway fan-out, clients parse)', ...between((c) => status.get(c.id), (c) => allAt.get(c.id)) },
      { stage: 'change sent → at every socket', ...between((c) => c.t0, (c) => allAt.get(c.id)) },
    ]
    stageTables.push({ round, stages })
    const summary = {
      round,
      direction: `${changes.filter((c) => c.live).length} go live, ${changes.filter((c) => !c.live).length} end`,
      changes: changes.length,
      send_spread_ms: last - first,
      every_client_consistent_ms: consistentMs,
      per_change_webhook_stored: a.webhooks === 'on' ? storedMs : null,
      per_change_status_published: statusMs,
      per_change_every_client: perChange,
      webhooks: counters.webhooks,
      per_client_change: r.pairs,
      lost_at_some_client: changes.length - complete.length,
      lost_status_publish: statusLost,
      duplicate_fragments: r.duplicates - dupBefore,
      reconnects: r.reconnects,
      cpu_percent_while_delivering: cpuShare,
      stages,
    }
    rounds.push(summary)
    table.push({
      round, changes: changes.length, 'sent within ms': Math.round(last - first),
      'all clients consistent ms': consistentMs === null ? 'never' : Math.round(consistentMs),
      'in JetStream p50/p99 ms': a.webhooks === 'on' ? `${storedMs.p50}/${storedMs.p99}` : '–',
      'kick.status p50/p99 ms': `${statusMs.p50}/${statusMs.p99}`,
      'every client p50/p99 ms': `${perChange.p50}/${perChange.p99}`, lost: summary.lost_at_some_client, duplicated: summary.duplicate_fragments,
      'CPU % sim/gateway/poller/nats/clients': Object.values(cpuShare).join('/'),
    })
  }
  for (const t of stageTables)
    printTable(`burst round ${t.round}: per stage (ms; each change's time between two observed points)`, t.stages.map((x) => ({ stage: x.stage, n: x.n, p50: x.p50, p99: x.p99, max: x.max, mean: x.mean })))
  printTable(`burst: ${a.streamers} streamers change at once, ${a.clients} sockets, KICK_WEBHOOKS=${a.webhooks} (target: every socket consistent < 1 s, 0 lost, 0 doubled)`, table)
  const consistent = rounds.map((r) => r.every_client_consistent_ms as number | null)
  const done = consistent.filter((x): x is number => x !== null)
  const spread = done.length ? { median_ms: summarize(done).p50, min_ms: Math.round(Math.min(...done)), max_ms: Math.round(Math.max(...done)) } : null
  if (spread) console.log(`\nevery socket consistent: median ${Math.round(spread.median_ms!)} ms, min ${spread.min_ms}, max ${spread.max_ms} over ${done.length} round(s) (target < 1000 ms)`)
  console.log(`\nwrote ${writeResult('burst', { options: { ...a, graceS }, setup_ms: d.setup, consistent: spread, rounds })}`)
} catch (e) {
  printLogTail(d.b)
  throw e
} finally {
  await d.stop()
}
process.exit(0)
