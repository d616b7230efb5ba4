import { shuffled } from './changes.ts'
import { DashboardBench, printLogTail } from './dashboard-bench.ts'
import { requestsTo } from './sim-control.ts'
import { printTable, summarize, writeResult, type Summary } from './stats.ts'
import type { Change } from './ws-fleet.ts'

export type LatencyOptions = {
  scenario: 'latency-webhook' | 'latency-poll'
  webhooks: 'on' | 'off'
  streamers: number
  clients: number
  /** Changes a second kick-sim makes (each fires its webhook at once). */
  rate: number
  durationS: number
  pollIntervalS: number
  offlineGraceS: number
  browser: boolean
  /** How long after the last change to wait for stragglers. */
  settleS: number
}

type PerChange = { change: Change; storedMs: number | null; statusMs: number | null; allClientsMs: number | null; clientsGot: number; wireMs: number | null; domMs: number | null }

/**
 * Changes at a fixed rate, each timed from the moment kick-sim was asked to make it to
 * (a) `kick.status.<slug>` on NATS, (b) the fragment in every dashboard socket, (c) the DOM
 * of a real Chromium dashboard.
 */
export async function runLatency(o: LatencyOptions) {
  const d = await DashboardBench.start({
    streamers: o.streamers, clients: o.clients, browser: o.browser, webhooks: o.webhooks,
    pollIntervalS: o.pollIntervalS, offlineGraceS: o.offlineGraceS,
  })
  try {
    await Bun.sleep(2000) // let the poller's first cycles after the sockets opened pass
    await d.b.sim.resetCounters()
    console.log(`making ${Math.round(o.rate * o.durationS)} changes at ${o.rate}/s…`)
    const tStart = performance.now()
    const changes = await d.driver.atRate(shuffled(d.slugs), o.rate, o.durationS, (c) => d.fleet.expect([c]))
    const sendS = (performance.now() - tStart) / 1000
    await d.fleet.settle(o.settleS * 1000, 500)
    const report = await d.fleet.report()
    const counters = await d.b.sim.counters()
    const status = d.watch.arrivals(changes)
    const stored = d.webhooks.arrivals(changes)
    const dom = d.probe ? await d.probe.arrivals(changes) : new Map<number, number | null>()
    const wire = d.probe ? await d.probe.wireArrivals(changes) : new Map<number, number | null>()
    const byId = new Map(report.changes.map((c) => [c.id, c]))
    const rows: PerChange[] = changes.map((change) => {
      const s = status.get(change.id) ?? null
      const f = byId.get(change.id)
      const m = dom.get(change.id) ?? null
      const w = wire.get(change.id) ?? null
      const j = stored.get(change.id) ?? null
      return { change, storedMs: j === null ? null : j - change.t0, statusMs: s === null ? null : s - change.t0, allClientsMs: f?.allAt == null ? null : f.allAt - change.t0, clientsGot: f?.got ?? 0, wireMs: w === null ? null : w - change.t0, domMs: m === null ? null : m - change.t0 }
    })
    const pick = (list: PerChange[], k: 'storedMs' | 'statusMs' | 'allClientsMs' | 'wireMs' | 'domMs', minus = 0) =>
      summarize(list.map((r) => r[k]).filter((v): v is number => v !== null).map((v) => v - minus))
    const lost = (list: PerChange[]) => ({
      status: list.filter((r) => r.statusMs === null).length,
      clients: list.filter((r) => r.allClientsMs === null).length,
      dom: d.probe ? list.filter((r) => r.domMs === null).length : null,
    })
    const groups: Record<string, { list: PerChange[]; minus: number }> =
      o.webhooks === 'on'
        ? { all: { list: rows, minus: 0 } }
        : {
            online: { list: rows.filter((r) => r.change.live), minus: 0 },
            // Offline waits OFFLINE_GRACE_S by design (docs/design.md#how-it-learns-about-kick); reported past the grace.
            'offline − grace': { list: rows.filter((r) => !r.change.live), minus: o.offlineGraceS * 1000 },
          }
    const figures: Record<string, { webhook_stored: Summary | null; status: Summary; every_client: Summary; chromium_message: Summary | null; dom: Summary | null; lost: ReturnType<typeof lost> }> = {}
    const table: Record<string, unknown>[] = []
    for (const [name, g] of Object.entries(groups)) {
      const f = {
        webhook_stored: o.webhooks === 'on' ? pick(g.list, 'storedMs', g.minus) : null,
        status: pick(g.list, 'statusMs', g.minus), every_client: pick(g.list, 'allClientsMs', g.minus),
        chromium_message: d.probe ? pick(g.list, 'wireMs', g.minus) : null, dom: d.probe ? pick(g.list, 'domMs', g.minus) : null, lost: lost(g.list),
      }
      figures[name] = f
      const steps = [['    delivery stored in JetStream', f.webhook_stored], ['(a) kick.status published', f.status], ['(b) fragment at every client', f.every_client], ['    message reached Chromium', f.chromium_message], ['(c) Chromium DOM changed', f.dom]] as const
      for (const [what, s] of steps) {
        if (s) table.push({ changes: name, 'send → ': what, n: s.n, 'p50 ms': s.p50, 'p99 ms': s.p99, 'max ms': s.max })
      }
    }
    const webhooksDelivered = counters.webhooks.delivered ?? 0
    const result = {
      options: o,
      setup_ms: d.setup,
      changes_sent: changes.length,
      change_failures: d.driver.failures,
      rate_reached_per_s: changes.length / sendS,
      webhooks_delivered: webhooksDelivered,
      webhooks_per_s: webhooksDelivered / sendS,
      kick_requests: { total: counters.total_requests, livestreams: requestsTo(counters, 'GET /public/v1/users/livestreams'), channels: requestsTo(counters, 'GET /public/v1/channels') },
      figures,
      pairs_every_client: report.pairs,
      clients: { count: report.clients, connected_at_end: report.connected, reconnects: report.reconnects, duplicate_fragments: report.duplicates },
    }
    printTable(`${o.scenario}: ${o.streamers} streamers, ${report.clients} sockets${d.probe ? ' + Chromium' : ''}, ${o.rate} changes/s for ${o.durationS} s, POLL_INTERVAL_S=${o.pollIntervalS}, KICK_WEBHOOKS=${o.webhooks}`, table)
    printTable('totals', [
      {
        'rate reached /s': result.rate_reached_per_s,
        'webhooks delivered /s': result.webhooks_per_s,
        'lost (status/clients/dom)': Object.values(figures).map((f) => `${f.lost.status}/${f.lost.clients}/${f.lost.dom ?? '–'}`).join(' '),
        'duplicate fragments': report.duplicates,
        reconnects: report.reconnects,
        [`every client × change p50/p99 ms${o.webhooks === 'off' ? ' (ends incl. grace)' : ''}`]: `${report.pairs.p50?.toFixed(1)}/${report.pairs.p99?.toFixed(1)}`,
      },
    ])
    console.log(`\nwrote ${writeResult(o.scenario, result)}`)
    return result
  } catch (e) {
    printLogTail(d.b)
    throw e
  } finally {
    await d.stop()
  }
}
