// poller-scale: the poller alone (a real process, production settings: POLL_INTERVAL_S=10,
// the default 15 req/s budget, webhooks off) against kick-sim at 1,000 / 5,000 / 10,000
// streamers (`--sizes 1000,5000,10000,20000` adds more). Per size: Kick requests per
// interval (kick-sim's counters), poll cycle time (the poller's own histogram), detection
// delay from a simulated change to `kick.status` (p50/p99), and the poller's CPU and RSS
// from /proc, and what the viewer samples cost PostgreSQL (rows and bytes per hour).
// OFFLINE_GRACE_S=0 so going offline measures the poll path too, not the grace.
//
//   bun bench/poller-scale.ts [--sizes 1000,5000,10000] [--duration 60] [--rate 2] [--interval 10] [--quick]
import { readFileSync } from 'node:fs'
import { connectAs, testNatsAuth } from '../tests/harness/nats-auth.ts'
import { z } from 'zod'
import { freePort } from '../scripts/infra/ports.ts'
import type { LineSink } from '../scripts/infra/processes.ts'
import { startStack, type Stack } from '../scripts/infra/stack.ts'
import { createDb } from '../shared/src/db.ts'
import { subjects } from '../shared/src/contracts/names.ts'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { seedStreamers, simChannels, startBenchInfra } from './lib/bench-stack.ts'
import { ChangeDriver, shuffled } from './lib/changes.ts'
import { rssMb } from './lib/rss.ts'
import { requestsTo, SimControl, type SimCounters } from './lib/sim-control.ts'
import { printTable, summarize, writeResult, type Summary } from './lib/stats.ts'
import { StatusWatch } from './lib/status-watch.ts'

const a = parseArgs({
  sizes: z.string().regex(/^\d+(,\d+)*$/, 'comma-separated streamer counts').default('1000,5000,10000'),
  duration: int(60, 5, 600), rate: num(2, 0.1, 100), interval: num(10, 1, 3600), quick: flag,
})
const sizes = a.sizes.split(',').map(Number)
if (sizes.some((n) => n < 1 || n > 20_000)) {
  console.error('error: --sizes: each between 1 and 20000 (kick-sim’s largest world)')
  process.exit(2)
}
const durationS = a.quick ? 20 : a.duration
const CLK_TCK = Number(Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim()) || 100

type Run = {
  streamers: number
  setup_ms: number
  window_s: number
  requests: { livestreams_per_interval: number; per_100_streamers_per_interval: number; channels: number; users: number; total_per_s: number; rate_limited: number }
  cycle_s: { mean: number | null; cycles: number }
  detection_ms: { all: Summary; online: Summary; offline: Summary; missed: number; target_ms: number }
  poller: { cpu_percent: number; rss_mb_max: number | null; rss_mb_end: number | null; rss_mb_peak_hwm: number | null }
  samples: { live_streamers: number; rows_per_hour: number; mb_per_hour: number; bytes_per_row: number | null }
}

const runs: Run[] = []
for (const n of sizes) runs.push(await measure(n))

printTable(`poller-scale: POLL_INTERVAL_S=${a.interval}, ${durationS} s of changes at ${a.rate}/s per size`, runs.map((r) => ({
  streamers: r.streamers,
  'livestreams req/interval': r.requests.livestreams_per_interval,
  'req per 100 per interval': r.requests.per_100_streamers_per_interval,
  'all req/s': r.requests.total_per_s,
  'cycle s': r.cycle_s.mean,
  'detect p50 ms': r.detection_ms.all.p50,
  'detect p99 ms': r.detection_ms.all.p99,
  'detect max ms': r.detection_ms.all.max,
  missed: r.detection_ms.missed,
  'CPU %': r.poller.cpu_percent,
  'RSS max MB': r.poller.rss_mb_max,
  'sample rows/h': r.samples.rows_per_hour,
  'sample MB/h': r.samples.mb_per_hour,
})))
const file = writeResult('poller-scale', {
  options: { sizes, durationS, rate: a.rate, pollIntervalS: a.interval, offlineGraceS: 0, budgetRps: 15, webhooks: 'off' },
  runs,
})
console.log(`\nwritten: ${file}`)
process.exit(0)

async function measure(streamers: number): Promise<Run> {
  const t0 = performance.now()
  const logs: string[] = []
  const sink: LineSink = (service, line) => {
    logs.push(`${service} ${line}`)
    if (logs.length > 2000) logs.splice(0, 500)
  }
  const infra = await startBenchInfra()
  let stack: Stack | null = null
  try {
    const { databaseUrl } = infra
    // kick-sim's world is seeded, so the list is known before it runs.
    await seedStreamers(databaseUrl, simChannels(streamers))

    // Listening before the poller starts: its first readings are published at once.
    const nc = await connectAs(infra.nats.url, 'operator', { name: 'poller-scale', maxReconnectAttempts: -1 })
    const fresh = new Set<string>()
    nc.subscribe(subjects.statusAll, { callback: (_e, m) => void ((m.json() as { stale: boolean; slug: string }).stale || fresh.add((m.json() as { slug: string }).slug)) })
    const watch = new StatusWatch(nc)

    const pollerPort = await freePort()
    stack = await startStack({
      databaseUrl, natsUrl: infra.nats.url, natsAuth: testNatsAuth(), services: ['poller'], ports: { poller: pollerPort }, restart: false, sink,
      sim: { channels: streamers, activity: false, env: { KICK_SIM_SEED: '1', KICK_SIM_TOKEN_TTL_S: '86400', LOG_LEVEL: 'warn' } },
      env: { POLL_INTERVAL_S: String(a.interval), OFFLINE_GRACE_S: '0', KICK_WEBHOOKS: 'off', BROWSER_FALLBACK: 'off', LOG_LEVEL: 'warn' },
    })
    const control = new SimControl(stack.simUrl!)
    const channels = await control.channels()
    const pid = stack.procs.get('poller')!.pid!

    await until(() => fresh.size >= streamers, (3 * a.interval + 60) * 1000, () => `${fresh.size} of ${streamers} streamers read`)
    const setupMs = performance.now() - t0
    // One more interval so the first (catch-up) cycle is behind us.
    await Bun.sleep(a.interval * 1000)

    await control.resetCounters()
    const sql = createDb(databaseUrl, 'bench-samples', 1)
    const samplesBefore = await sampleStorage(sql)
    const metricsBefore = await cycleMetrics(pollerPort)
    const cpuBefore = cpuTicks(pid)
    const wall0 = performance.now()
    const rss: number[] = []
    const sampler = setInterval(() => {
      const mb = rssMb(pid)
      if (mb !== null) rss.push(mb)
    }, 1000)

    const driver = new ChangeDriver(control, channels)
    const changes = await driver.atRate(shuffled(channels.map((c) => c.slug)), a.rate, durationS)
    // Give the last changes a full interval (plus a second) to be seen.
    await Bun.sleep((a.interval + 2) * 1000)

    clearInterval(sampler)
    const windowS = (performance.now() - wall0) / 1000
    const cpu = ((cpuTicks(pid) - cpuBefore) / CLK_TCK / windowS) * 100
    const counters = await control.counters()
    const samplesAfter = await sampleStorage(sql)
    await sql.end()
    const liveNow = (await control.channels()).filter((c) => c.live).length
    const perHour = (d: number) => (d / windowS) * 3600
    const metricsAfter = await cycleMetrics(pollerPort)
    const arrivals = watch.arrivals(changes)
    const delays = (live?: boolean) => changes.filter((c) => live === undefined || c.live === live).flatMap((c) => {
      const at = arrivals.get(c.id)
      return at == null ? [] : [at - c.t0]
    })
    const missed = changes.filter((c) => arrivals.get(c.id) == null).length
    await nc.close()

    const livestreams = requestsTo(counters, 'GET /public/v1/users/livestreams')
    const perInterval = livestreams / (windowS / a.interval)
    const cycles = metricsAfter.count - metricsBefore.count
    const run: Run = {
      streamers,
      setup_ms: Math.round(setupMs),
      window_s: round(windowS),
      requests: {
        livestreams_per_interval: round(perInterval),
        per_100_streamers_per_interval: round(perInterval / (streamers / 100), 2),
        channels: requestsTo(counters, 'GET /public/v1/channels'),
        users: requestsTo(counters, 'GET /public/v1/users') - livestreams,
        total_per_s: round(apiRequests(counters) / windowS),
        rate_limited: counters.rate_limited,
      },
      cycle_s: { mean: cycles > 0 ? round((metricsAfter.sum - metricsBefore.sum) / cycles, 2) : null, cycles },
      detection_ms: { all: summarize(delays()), online: summarize(delays(true)), offline: summarize(delays(false)), missed, target_ms: a.interval * 1000 + 1000 },
      poller: { cpu_percent: round(cpu), rss_mb_max: rss.length ? round(Math.max(...rss)) : null, rss_mb_end: rss.length ? round(rss.at(-1)!) : null, rss_mb_peak_hwm: hwmMb(pid) },
      samples: {
        live_streamers: liveNow,
        rows_per_hour: Math.round(perHour(samplesAfter.rows - samplesBefore.rows)),
        mb_per_hour: round(perHour(samplesAfter.bytes - samplesBefore.bytes) / 1e6, 2),
        bytes_per_row: samplesAfter.rows > samplesBefore.rows ? Math.round((samplesAfter.bytes - samplesBefore.bytes) / (samplesAfter.rows - samplesBefore.rows)) : null,
      },
    }
    console.log(`  ${streamers} streamers: ${JSON.stringify({ requests: run.requests, cycle_s: run.cycle_s, detect: run.detection_ms.all, poller: run.poller })}`)
    return run
  } catch (e) {
    console.error(logs.filter((l) => /warn|error|fatal/.test(l)).slice(-20).join('\n'))
    throw e
  } finally {
    await stack?.stop()
    await infra.destroy()
  }
}

/** Rows and on-disk bytes (tables and indexes of every partition) of viewer_samples. */
async function sampleStorage(sql: ReturnType<typeof createDb>): Promise<{ rows: number; bytes: number }> {
  const [r] = await sql<{ rows: number; bytes: number }[]>`
    select (select count(*) from viewer_samples)::float8 as rows,
           (select coalesce(sum(pg_total_relation_size(inhrelid)), 0) from pg_inherits where inhparent = 'viewer_samples'::regclass)::float8 as bytes`
  return { rows: r!.rows, bytes: r!.bytes }
}

function apiRequests(c: SimCounters): number {
  return Object.entries(c.requests).filter(([route]) => route.includes(' /public/')).reduce((n, [, byStatus]) => n + Object.values(byStatus).reduce((x, y) => x + y, 0), 0)
}

/** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12])
}

function hwmMb(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m)
    return m ? round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

/** The poller's own poll_cycle_duration_seconds histogram (cumulative sum and count). */
async function cycleMetrics(port: number): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const value = (name: string) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm'))?.[1] ?? 0)
  return { sum: value('poll_cycle_duration_seconds_sum'), count: value('poll_cycle_duration_seconds_count') }
}

async function until(ok: () => boolean, timeoutMs: number, what: () => string) {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`)
    await Bun.sleep(200)
  }
}

function round(v: number, digits = 1) {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

