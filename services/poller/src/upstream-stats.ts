import type { Source } from '@kickmon/shared/contracts/status'
import type { Registry } from '@kickmon/shared/metrics'
import type { Outcome } from './kick/client.ts'
import { createPollerMetrics, type PollerMetrics, type Totals } from './metrics.ts'

const LAG_WINDOW = 1024

/**
 * What the poller saw upstream, counted once for both the health report (in memory) and
 * Prometheus: requests to Kick, readings per source, webhook deliveries and their lag. The
 * gauges (breakers, back-off, subscriptions) are read from the health report at scrape time.
 */
export class UpstreamStats {
  private requests = new Map<string, { endpoint: string; outcome: string; count: number }>()
  private lags = new Float64Array(LAG_WINDOW)
  private lagCount = 0
  private readonly metrics: PollerMetrics
  /** Filled in by the wiring once the committer and the recorder exist. */
  readonly totals: Pick<Totals, 'eventsPublished' | 'eventsRecorded' | 'health'> = { eventsPublished: () => 0, eventsRecorded: () => 0, health: () => null }
  rateLimited = 0
  readonly readings: Record<Source, number> = { api: 0, webhook: 0, browser: 0 }
  readonly webhooks = { received: 0, duplicates: 0, malformed: 0, unmatched: 0, tooOld: 0, otherEvents: 0 }

  constructor(registry: Registry) {
    this.metrics = createPollerMetrics(registry, {
      eventsPublished: () => this.totals.eventsPublished(),
      eventsRecorded: () => this.totals.eventsRecorded(),
      webhooksReceived: () => this.webhooks.received,
      webhookDuplicates: () => this.webhooks.duplicates,
      health: () => this.totals.health(),
    })
  }

  /** KickClient's onOutcome. */
  outcome(o: Outcome) {
    const key = `${o.endpoint}\t${o.outcome}`
    const row = this.requests.get(key)
    if (row) row.count++
    else this.requests.set(key, { endpoint: o.endpoint, outcome: o.outcome, count: 1 })
    if (o.outcome === 'rate_limited') this.rateLimited++
    this.metrics.kickRequests.inc({ endpoint: o.endpoint, status: o.status === null ? o.outcome : String(o.status) })
  }

  reading(source: Source) {
    this.readings[source]++
    this.metrics.readings.inc({ source })
  }

  pollCycle(ms: number) {
    this.metrics.pollCycle.observe(ms / 1000)
  }

  webhookLag(ms: number) {
    const lag = Math.max(0, ms)
    this.lags[this.lagCount++ % LAG_WINDOW] = lag
    this.metrics.webhookLag.observe(lag / 1000)
  }

  requestCounts() {
    return [...this.requests.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint) || a.outcome.localeCompare(b.outcome))
  }

  /** Over the last LAG_WINDOW deliveries; null before the first. */
  lagPercentiles(): { p50: number | null; p99: number | null } {
    const n = Math.min(this.lagCount, LAG_WINDOW)
    if (!n) return { p50: null, p99: null }
    const sorted = this.lags.slice(0, n).sort()
    const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]!)
    return { p50: at(0.5), p99: at(0.99) }
  }
}
