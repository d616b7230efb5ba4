// naive-baseline: the same kick-sim world watched two ways at once: by kickmon (batched
// official API; `--webhooks on` adds Kick's webhooks, so offline streamers they cover are polled
// every POLL_COVERED_OFFLINE_EVERY-th interval only) and by a naive poller (one website request
// per streamer per interval). Reports requests per detection and detection delay as ratios.
import { z } from 'zod'
import { PollerApi } from '../shared/src/contracts/poller.ts'
import { request } from '../shared/src/rpc.ts'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { BenchStack } from './lib/bench-stack.ts'
import { ChangeDriver, shuffled } from './lib/changes.ts'
import { printLogTail } from './lib/dashboard-bench.ts'
import { NaivePoller } from './lib/naive-poller.ts'
import { requestsTo } from './lib/sim-control.ts'
import { StatusWatch } from './lib/status-watch.ts'
import { printTable, summarize, writeResult } from './lib/stats.ts'

const a = parseArgs({
  streamers: int(1000, 1, 20_000), interval: num(10, 1, 3600), grace: num(5, 0, 3600), rate: num(3, 0.1, 100), duration: int(60, 5, 3600),
  webhooks: z.enum(['on', 'off']).default('off'), quick: flag,
})
const durationS = a.quick ? 30 : a.duration
const hooks = a.webhooks === 'on'
const scenario = hooks ? 'naive-baseline-webhooks' : 'naive-baseline'
console.log(`starting the stack with ${a.streamers} streamers (POLL_INTERVAL_S=${a.interval}, KICK_WEBHOOKS=${a.webhooks})…`)
const b = await BenchStack.start({ streamers: a.streamers, pollIntervalS: a.interval, offlineGraceS: a.grace, webhooks: a.webhooks })
try {
  const slugs = await b.monitorAll()
  await b.waitUntilFresh(await b.login(), slugs.length)
  const nc = await b.natsConnection()
  // An installation that has been running has seen a delivery lately; this one's first proves the
  // webhook path works, so covered offline streamers are polled less often from the next cycle on.
  if (hooks) await b.sim.patch((await b.sim.channels(true))[0]!.slug, { title: 'warm-up' })
  const watch = new StatusWatch(nc)
  const naive = new NaivePoller(b.stack.simUrl!, slugs, a.interval * 1000)
  naive.start()
  await Bun.sleep(a.interval * 1000 + 1000) // both have read everything once
  await b.sim.resetCounters()
  const naiveBefore = naive.requests
  const driver = await ChangeDriver.create(b.sim)
  console.log(`making ${Math.round(a.rate * durationS)} changes at ${a.rate}/s; both watchers run…`)
  const tStart = performance.now()
  const changes = await driver.atRate(shuffled(slugs), a.rate, durationS)
  await Bun.sleep((a.interval + a.grace + 3) * 1000)
  const windowS = (performance.now() - tStart) / 1000
  const counters = await b.sim.counters()
  const health = await request(nc, PollerApi.health.subject, {}, PollerApi.health.output)
  naive.stop()
  watch.stop()
  await nc.drain()

  const ours = watch.arrivals(changes)
  const theirs = naive.arrivals(changes)
  const delays = (m: Map<number, number | null>, live: boolean, minus = 0) =>
    changes.filter((c) => c.live === live && m.get(c.id) != null).map((c) => m.get(c.id)! - c.t0 - minus)
  const naiveRoute = 'GET /api/v2/channels/:slug'
  const naiveRequests = requestsTo(counters, naiveRoute)
  const ourRequests = counters.total_requests - naiveRequests
  const detected = (m: Map<number, number | null>) => changes.filter((c) => m.get(c.id) != null).length
  const oursOnline = summarize(delays(ours, true))
  const naiveOnline = summarize(delays(theirs, true))
  // Polling reports an end once the grace window is over; a webhook's end is final at once.
  const oursOffline = summarize(delays(ours, false, hooks ? 0 : a.grace * 1000))
  const naiveOffline = summarize(delays(theirs, false))
  const rpdOurs = ourRequests / Math.max(1, detected(ours))
  const rpdNaive = naiveRequests / Math.max(1, detected(theirs))
  const ratio = (x: number | null, y: number | null) => (x === null || y === null || y === 0 ? null : Math.round((x / y) * 1000) / 1000)
  const offlineColumn = hooks ? 'offline p50/p99 ms' : 'offline p50/p99 ms (kickmon: past the grace window)'
  const rows = [
    { watcher: hooks ? 'kickmon (batched API + webhooks)' : 'kickmon (batched API)', requests: ourRequests, 'req per interval': (ourRequests / windowS) * a.interval, detected: detected(ours), 'req / detection': rpdOurs, 'online p50/p99 ms': `${oursOnline.p50}/${oursOnline.p99}`, [offlineColumn]: `${oursOffline.p50}/${oursOffline.p99}` },
    { watcher: 'naive (1 req/streamer)', requests: naiveRequests, 'req per interval': (naiveRequests / windowS) * a.interval, detected: detected(theirs), 'req / detection': rpdNaive, 'online p50/p99 ms': `${naiveOnline.p50}/${naiveOnline.p99}`, [offlineColumn]: `${naiveOffline.p50}/${naiveOffline.p99}` },
  ]
  const ratios = {
    requests_per_detection: rpdNaive ? Math.round((rpdOurs / rpdNaive) * 10_000) / 10_000 : null,
    online_delay_p50: ratio(oursOnline.p50, naiveOnline.p50),
    online_delay_p99: ratio(oursOnline.p99, naiveOnline.p99),
  }
  printTable(`${scenario}: ${slugs.length} streamers, ${changes.length} changes over ${durationS} s, POLL_INTERVAL_S=${a.interval}, KICK_WEBHOOKS=${a.webhooks}`, rows)
  if (hooks) console.log(`at the end: ${health.poll.covered_offline} offline streamers covered by webhooks, polled every ${health.poll.covered_offline_every} intervals`)
  const times = (x: number | null) => (x === null ? '–' : x < 1 ? `${x.toFixed(3)} (${Math.round(1 / x)}× fewer)` : `${x.toFixed(2)}`)
  printTable('kickmon ÷ naive', [{ 'requests per detection': times(ratios.requests_per_detection), 'online delay p50': times(ratios.online_delay_p50), 'online delay p99': times(ratios.online_delay_p99) }])
  console.log(`\nwrote ${writeResult(scenario, {
    options: { ...a, durationS }, changes: changes.length, window_s: windowS,
    ours: { requests: ourRequests, covered_offline_at_end: health.poll.covered_offline, detected: detected(ours), requests_per_detection: rpdOurs, online: oursOnline, offline_minus_grace: oursOffline, routes: counters.requests },
    naive: { requests: naiveRequests, requests_before_window: naiveBefore, detected: detected(theirs), requests_per_detection: rpdNaive, online: naiveOnline, offline: naiveOffline, errors: naive.errors },
    ratios,
  })}`)
} catch (e) {
  printLogTail(b)
  throw e
} finally {
  await b.destroy()
}
process.exit(0)
