// memory: each service's RSS sampled every 100 ms through a loaded phase (changes at a fixed
// rate, 1000 open dashboards) and an idle phase; the figure is the median of the last 10 s,
// load-then-idle as Bun's own comparisons measure (docs/design.md#targets: each Bun service < 64 MB,
// the gateway with 1000 sockets < 80 MB). `--layout both` (the default) measures the usual
// three processes and then ONE_PROCESS=on (the three services in one process, target for a
// small install: < 100 MB) in the same run, one after the other on fresh stacks. The services
// run from their bundles (.build/, built first), as `bun run start` and the systemd units run
// them; `--sources` runs them from their sources instead (the old way, as tests do), and
// `--compare` measures both in each run, bundles first, to set them side by side.
import { z } from 'zod'
import { BuildError, buildBundles } from '../scripts/infra/bundles.ts'
import { runFromBundles } from '../scripts/infra/processes.ts'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { shuffled } from './lib/changes.ts'
import { DashboardBench, printLogTail } from './lib/dashboard-bench.ts'
import { natsServerPid, RssSampler } from './lib/rss.ts'
import { median, printTable, writeResult } from './lib/stats.ts'

const a = parseArgs({
  streamers: int(1000, 1, 20_000), clients: int(1000, 0, 5000), rate: num(20, 0.1, 1000),
  load: int(60, 1, 3600), idle: int(180, 10, 3600), webhooks: z.enum(['on', 'off']).default('on'), quick: flag,
  layout: z.enum(['services', 'one-process', 'both']).default('both'),
  runs: int(1, 1, 10),
  sources: flag,
  compare: flag,
  /** Extra environment for the services, e.g. Bun's or mimalloc's memory settings: `A=1,B=2`. */
  serviceEnv: z.string().optional(),
})
const extraEnv = Object.fromEntries((a.serviceEnv ?? '').split(',').filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]))
const loadS = a.quick ? 15 : a.load
const idleS = a.quick ? 30 : a.idle
const layouts = a.layout === 'both' ? (['services', 'one-process'] as const) : [a.layout]
const codes = a.compare ? (['bundles', 'sources'] as const) : a.sources ? (['sources'] as const) : (['bundles'] as const)
if (codes[0] === 'bundles') {
  const built = await buildBundles().catch((e: unknown) => {
    console.error(e instanceof BuildError ? `build failed: ${e.message}` : e)
    process.exit(1)
  })
  console.log(`built ${built.join(', ')}`)
}

const all: Record<string, unknown>[] = []
const runs: Record<string, unknown>[] = []
for (let run = 1; run <= a.runs; run++)
for (const code of codes)
for (const layout of layouts) {
  console.log(`\n--- run ${run}, from ${code}, layout: ${layout === 'services' ? 'three processes' : 'ONE_PROCESS=on'}`)
  runFromBundles(code === 'bundles')
  const d = await DashboardBench.start({
    streamers: a.streamers, clients: a.clients, webhooks: a.webhooks, pollIntervalS: 10, offlineGraceS: 30,
    env: { ...extraEnv, ...(layout === 'one-process' ? { ONE_PROCESS: 'on' } : {}) },
  })
  try {
    const natsPid = natsServerPid(d.b.nats.port)
    const services = layout === 'services' ? (['gateway', 'poller', 'auth', 'kick-sim'] as const) : (['gateway', 'kick-sim'] as const)
    const label = (s: string) => (layout === 'one-process' && s === 'gateway' ? 'auth + poller + gateway (one process)' : s)
    // The notifier is a process of its own in both layouts.
    const sampler = new RssSampler({
      ...Object.fromEntries(services.map((s) => [label(s), () => d.b.proc(s).pid])),
      notifier: () => d.b.stack.procs.get('notifier')?.pid ?? null,
      'nats-server': () => natsPid,
    })
    sampler.start(100)
    const t0 = performance.now()
    console.log(`load: ${a.rate} changes/s for ${loadS} s with ${a.clients} sockets open…`)
    await d.driver.atRate(shuffled(d.slugs), a.rate, loadS, (c) => d.fleet.expect([c]))
    const loadEnd = performance.now() - t0
    console.log(`idle for ${idleS} s…`)
    await Bun.sleep(idleS * 1000)
    const end = performance.now() - t0
    sampler.stop()
    const fleet = await d.fleet.report()
    const rows = Object.keys(sampler.samples[0]?.mb ?? {}).map((name) => {
      const target = name === 'gateway' ? 80 : name.includes('one process') ? 100 : name === 'nats-server' || name === 'kick-sim' ? null : 64
      const idle = median(sampler.values(name, end - 10_000))
      return {
        run, code, layout, process: name,
        'peak under load MB': Math.max(...sampler.values(name, 0, loadEnd)),
        'end of load (median 10 s) MB': median(sampler.values(name, loadEnd - 10_000, loadEnd)),
        'after idle (median last 10 s) MB': idle,
        'target MB': target === null ? '–' : `< ${target}`,
        ok: target === null || idle === null ? '–' : idle < target ? 'yes' : 'NO',
        samples: sampler.values(name, 0).length,
      }
    })
    // The three services together, to set beside the one process.
    if (layout === 'services') {
      const sum = (k: 'peak under load MB' | 'end of load (median 10 s) MB' | 'after idle (median last 10 s) MB') =>
        rows.filter((r) => ['gateway', 'poller', 'auth'].includes(r.process)).reduce((n, r) => n + ((r[k] as number | null) ?? 0), 0)
      rows.push({ run, code, layout, process: 'auth + poller + gateway (sum)', 'peak under load MB': sum('peak under load MB'), 'end of load (median 10 s) MB': sum('end of load (median 10 s) MB'), 'after idle (median last 10 s) MB': sum('after idle (median last 10 s) MB'), 'target MB': '< 100', ok: sum('after idle (median last 10 s) MB') < 100 ? 'yes' : 'NO', samples: 0 })
    }
    all.push(...rows)
    runs.push({ run, code, layout, sockets_open_at_end: fleet.connected, reconnects: fleet.reconnects, setup_ms: d.setup })
  } catch (e) {
    printLogTail(d.b)
    throw e
  } finally {
    await d.stop()
  }
}
printTable(`memory: ${a.streamers} streamers, ${a.clients} sockets, ${loadS} s load then ${idleS} s idle (RSS every 100 ms)`, all)
// Over the runs: the median after idle, and the spread.
const keys = [...new Set(all.map((r) => `${r.code}\t${r.layout}\t${r.process}`))]
const processes = keys.map((k) => {
  const [code, layout, process] = k.split('\t')
  const rows = all.filter((r) => r.code === code && r.layout === layout && r.process === process)
  const idle = rows.map((r) => r['after idle (median last 10 s) MB'] as number | null).filter((x): x is number => x !== null)
  const m = median(idle)
  return {
    code, layout, process, runs: rows.length, 'after idle (median last 10 s) MB': m, 'spread MB': idle.length ? `${Math.min(...idle).toFixed(1)}–${Math.max(...idle).toFixed(1)}` : '–',
    'peak under load MB': median(rows.map((r) => r['peak under load MB'] as number)), 'target MB': rows[0]!['target MB'], ok: rows[0]!['target MB'] === '–' || m === null ? '–' : m < Number(String(rows[0]!['target MB']).slice(2)) ? 'yes' : 'NO',
  }
})
if (a.runs > 1) printTable(`memory over ${a.runs} runs: median after idle, and the spread`, processes)
console.log(`\nwrote ${writeResult('memory', { options: { ...a, loadS, idleS }, runs, each_run: all, processes })}`)
process.exit(0)
