import { Counter, Histogram, type Registry } from '@kickmon/shared/metrics'

/** Totals other parts keep themselves; read when Prometheus scrapes. */
export type Totals = { eventsPublished: () => number; eventsRecorded: () => number }

/** The poller's Prometheus metrics on its /metrics (next to the process and NATS ones). */
export function createPollerMetrics(registry: Registry, totals: Totals) {
  const registers = [registry]
  const mirror = (read: () => number) =>
    function (this: Counter) {
      this.reset()
      this.inc(read())
    }
  return {
    kickRequests: new Counter({
      name: 'kick_requests_total', help: 'Requests to Kick by endpoint and HTTP status (or timeout/network)',
      labelNames: ['endpoint', 'status'] as const, registers,
    }),
    pollCycle: new Histogram({
      name: 'poll_cycle_duration_seconds', help: 'One poll cycle: registry sync, slug resolution and every live-state batch (spread over the interval)',
      buckets: [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300, 600], registers,
    }),
    webhookLag: new Histogram({
      name: 'webhook_lag_seconds', help: 'Kick-Event-Message-Timestamp to the poller consuming the delivery',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800], registers,
    }),
    eventsPublished: new Counter({ name: 'events_published_total', help: 'Status events acknowledged by JetStream (KICK_EVENTS)', registers, collect: mirror(totals.eventsPublished) }),
    eventsRecorded: new Counter({ name: 'events_recorded_total', help: 'Status events written to PostgreSQL (first time only)', registers, collect: mirror(totals.eventsRecorded) }),
    readings: new Counter({ name: 'readings_total', help: 'Readings applied to monitored streamers, by source', labelNames: ['source'] as const, registers }),
  }
}
export type PollerMetrics = ReturnType<typeof createPollerMetrics>
