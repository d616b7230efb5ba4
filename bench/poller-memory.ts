// poller-memory: where the poller's memory goes per streamer. The poller alone as a real process
// (bundled, as `bun run start` runs it; `--sources` from its sources) against kick-sim at
// 1,000 / 5,000 / 10,000 streamers (private PostgreSQL and nats-server each, the list seeded as a
// running installation keeps it, production settings: POLL_INTERVAL_S=10, OFFLINE_GRACE_S=30,
// webhooks off so every change is read by polling). Per size: `--load` s of changes at `--rate`/s,
// then `--idle` s; RSS from /proc every 500 ms, the figure the median of the last 10 s (as
// bench/memory.ts). Then the JS heap after a full collection, through a preloaded probe
// (bench/lib/heap-probe.ts, on SIGUSR2: heapStats() from bun:jsc — size, object count, objects
// by type). Bytes per streamer are the slope between the smallest and the largest size, of RSS, of
// the heap and of each object type's count (what grows with the streamers).
//
//   bun bench/poller-memory.ts [--sizes 1000,5000,10000] [--load 30] [--idle 60] [--rate 5] [--sources] [--quick]
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { testNatsAuth } from '../tests/harness/nats-auth.ts'
import { BuildError, buildBundles } from '../scripts/infra/bundles.ts'
import { runFromBundles, type LineSink } from '../scripts/infra/processes.ts'
import { startStack, type Stack } from '../scripts/infra/stack.ts'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { seedStreamers, simChannels, startBenchInfra } from './lib/bench-stack.ts'
import { ChangeDriver, shuffled } from './lib/changes.ts'
import { heapColumns, heapProbeEnv, mb, probeHeap, slope, typeGrowth, type Heap } from './lib/heap-report.ts'
import { rssMb } from './lib/rss.ts'
import { SimControl } from './lib/sim-control.ts'
import { median, printTable, writeResult } from './lib/stats.ts'

const a = parseArgs({
  sizes: z.string().regex(/^\d+(,\d+)*$/, 'comma-separated streamer counts').default('1000,5000,10000'),
  load: int(30, 5, 600), idle: int(60, 15, 600), rate: num(5, 0.1, 100), sources: flag, quick: flag,
})
const sizes = a.sizes.split(',').map(Number).sort((x, y) => x - y)
if (sizes.some((n) => n < 1 || n > 20_000)) {
  console.error('error: --sizes: each between 1 and 20000 (kick-sim’s largest world)')
  process.exit(2)
}
const loadS = a.quick ? 15 : a.load
const idleS = a.quick ? 30 : a.idle
if (!a.sources) {
  const built = await buildBundles().catch((e: unknown) => {
    console.error(e instanceof BuildError ? `build failed: ${e.message}` : e)
    process.exit(1)
  })
  console.log(`built ${built.join(', ')}`)
  runFromBundles(true)
}

type Run = { streamers: number; rss_mb_idle: number | null; rss_mb_peak: number | null; heap: Heap }

const runs: Run[] = []
for (const n of sizes) runs.push(await measure(n))

printTable(`poller-memory (${a.sources ? 'sources' : 'bundled'}): ${loadS} s of changes at ${a.rate}/s, then ${idleS} s idle`, runs.map((r) => ({
  streamers: r.streamers,
  'RSS after idle MB': r.rss_mb_idle,
  'RSS peak MB': r.rss_mb_peak,
  ...heapColumns(r.heap),
})))

// What grows with the streamers: slope between the smallest and the largest size.
const lo = runs[0]!
const hi = runs.at(-1)!
const dn = hi.streamers - lo.streamers
const perStreamer = dn > 0
  ? {
      rss_idle_bytes: lo.rss_mb_idle !== null && hi.rss_mb_idle !== null ? Math.round(((hi.rss_mb_idle - lo.rss_mb_idle) * 2 ** 20) / dn) : null,
      ...slope(lo.heap, hi.heap, dn),
    }
  : null
const types = typeGrowth(runs.map((r) => ({ label: `at ${r.streamers}`, heap: r.heap })), dn, 'streamer')
if (perStreamer) {
  printTable(`per streamer, ${lo.streamers} → ${hi.streamers}`, [perStreamer])
  printTable('objects by type after a full collection (the 20 that grow most with the streamers)', types)
}
console.log(`\nwritten: ${writeResult('poller-memory', { options: { sizes, loadS, idleS, rate: a.rate, code: a.sources ? 'sources' : 'bundled' }, runs, per_streamer: perStreamer, types })}`)
process.exit(0)

async function measure(streamers: number): Promise<Run> {
  const logs: string[] = []
  const sink: LineSink = (service, line) => {
    logs.push(`${service} ${line}`)
    if (logs.length > 2000) logs.splice(0, 500)
  }
  const probeFile = join(tmpdir(), `poller-heap-${process.pid}-${streamers}.json`)
  const infra = await startBenchInfra()
  let stack: Stack | null = null
  try {
    await seedStreamers(infra.databaseUrl, simChannels(streamers))
    stack = await startStack({
      databaseUrl: infra.databaseUrl, natsUrl: infra.nats.url, natsAuth: testNatsAuth(), services: ['poller'], restart: false, sink,
      sim: { channels: streamers, activity: false, env: { KICK_SIM_SEED: '1', KICK_SIM_TOKEN_TTL_S: '86400', LOG_LEVEL: 'warn' } },
      env: {
        POLL_INTERVAL_S: '10', OFFLINE_GRACE_S: '30', KICK_WEBHOOKS: 'off', BROWSER_FALLBACK: 'off', LOG_LEVEL: 'warn',
        ...heapProbeEnv(probeFile),
      },
    })
    const pid = stack.procs.get('poller')!.pid!
    const control = new SimControl(stack.simUrl!)
    const channels = await control.channels()
    // Two intervals: every streamer read at least once, the first (catch-up) cycle behind us.
    await Bun.sleep(20_000)
    const rss: { t: number; mb: number }[] = []
    const t0 = performance.now()
    const sampler = setInterval(() => {
      const v = rssMb(pid)
      if (v !== null) rss.push({ t: performance.now() - t0, mb: v })
    }, 500)
    await new ChangeDriver(control, channels).atRate(shuffled(channels.map((c) => c.slug)), a.rate, loadS)
    await Bun.sleep(idleS * 1000)
    clearInterval(sampler)
    const end = performance.now() - t0
    const idle = median(rss.filter((s) => s.t >= end - 10_000).map((s) => s.mb))
    const heap = await probeHeap(pid, probeFile, 'poller')
    const run: Run = { streamers, rss_mb_idle: idle === null ? null : Math.round(idle * 10) / 10, rss_mb_peak: rss.length ? Math.round(Math.max(...rss.map((s) => s.mb)) * 10) / 10 : null, heap }
    console.log(`  ${streamers} streamers: RSS after idle ${run.rss_mb_idle} MB, JS heap ${mb(heap.heapSize)} MB, ${heap.objectCount} objects`)
    return run
  } catch (e) {
    console.error(logs.filter((l) => /warn|error|fatal/.test(l)).slice(-20).join('\n'))
    throw e
  } finally {
    await stack?.stop()
    await infra.destroy()
    rmSync(probeFile, { force: true })
  }
}
