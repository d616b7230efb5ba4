// memory: each service's RSS sampled every 100 ms through a loaded phase (changes at a fixed
// rate, 1000 open dashboards) and an idle phase; the figure is the median of the last 10 s,
// load-then-idle as Bun's own comparisons measure (docs/design.md#targets: each Bun service < 64 MB,
// the gateway with 1000 sockets < 80 MB).
import { z } from 'zod'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { shuffled } from './lib/changes.ts'
import { DashboardBench, printLogTail } from './lib/dashboard-bench.ts'
import { natsServerPid, RssSampler } from './lib/rss.ts'
import { median, printTable, writeResult } from './lib/stats.ts'

const a = parseArgs({
  streamers: int(1000, 1, 20_000), clients: int(1000, 0, 5000), rate: num(20, 0.1, 1000),
  load: int(60, 1, 3600), idle: int(180, 10, 3600), webhooks: z.enum(['on', 'off']).default('on'), quick: flag,
})
const loadS = a.quick ? 15 : a.load
const idleS = a.quick ? 30 : a.idle
const d = await DashboardBench.start({ streamers: a.streamers, clients: a.clients, webhooks: a.webhooks, pollIntervalS: 10, offlineGraceS: 30 })
try {
  const natsPid = natsServerPid(d.b.nats.port)
  const services = ['gateway', 'poller', 'auth', 'kick-sim'] as const
  const sampler = new RssSampler({
    ...Object.fromEntries(services.map((s) => [s, () => d.b.proc(s).pid])),
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
    const all = sampler.values(name, 0)
    const target = name === 'gateway' ? 80 : name === 'nats-server' ? null : 64
    const idle = median(sampler.values(name, end - 10_000))
    return {
      process: name,
      'peak under load MB': Math.max(...sampler.values(name, 0, loadEnd)),
      'end of load (median 10 s) MB': median(sampler.values(name, loadEnd - 10_000, loadEnd)),
      'after idle (median last 10 s) MB': idle,
      'target MB': target === null ? '–' : `< ${target}`,
      ok: target === null || idle === null ? '–' : idle < target ? 'yes' : 'NO',
      samples: all.length,
    }
  })
  printTable(`memory: ${a.streamers} streamers, ${fleet.connected} open sockets, ${loadS} s load then ${idleS} s idle (RSS every 100 ms)`, rows)
  console.log(`\nwrote ${writeResult('memory', { options: { ...a, loadS, idleS }, setup_ms: d.setup, sockets_open_at_end: fleet.connected, reconnects: fleet.reconnects, processes: rows })}`)
} catch (e) {
  printLogTail(d.b)
  throw e
} finally {
  await d.stop()
}
process.exit(0)
