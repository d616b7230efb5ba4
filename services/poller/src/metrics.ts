import { Counter, Gauge, Histogram, type Registry } from '@kickmon/shared/metrics'
import type { UpstreamHealth } from '@kickmon/shared/contracts/poller'

/** Totals other parts keep themselves; read when Prometheus scrapes. */
export type Totals = {
  eventsPublished: () => number
  eventsRecorded: () => number
  webhooksReceived: () => number
  webhookDuplicates: () => number
  /** The upstream-health report (null until wired), so Prometheus and `kickmon status` agree. */
  health: () => UpstreamHealth | null
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const

/** The poller's Prometheus metrics on its /metrics (next to the process and NATS ones). */
export function createPollerMetrics(registry: Registry, totals: Totals) {
  // One report per scrape rather than one per gauge: building it walks every streamer.
  let report: { at: number; value: UpstreamHealth | null } | null = null
  const health = () => {
    if (!report || Date.now() - report.at > 1000) report = { at: Date.now(), value: totals.health() }
    return report.value
  }
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
    webhooksReceived: new Counter({ name: 'webhook_received_total', help: 'Webhook deliveries the poller consumed (duplicates included)', registers, collect: mirror(totals.webhooksReceived) }),
    webhookDuplicates: new Counter({ name: 'webhook_duplicates_total', help: 'Webhook deliveries dropped as already seen (same Kick-Event-Message-Id)', registers, collect: mirror(totals.webhookDuplicates) }),
    // Enum-style (one series per state, 1 for the current one) so `…{state="open"} == 1` can alert.
    breakerState: new Gauge({
      name: 'kick_circuit_breaker_state', help: 'Per-endpoint circuit breaker: 1 for its current state (closed, open, half-open)',
      labelNames: ['endpoint', 'state'] as const, registers,
      collect() {
        this.reset()
        for (const b of health()?.breakers ?? []) for (const state of BREAKER_STATES) this.set({ endpoint: b.endpoint, state }, b.state === state ? 1 : 0)
      },
    }),
    backoff: new Gauge({
      name: 'kick_backoff_seconds', help: 'Seconds an endpoint\'s open circuit breaker still waits before a trial request (0 when closed)',
      labelNames: ['endpoint'] as const, registers,
      collect() {
        this.reset()
        for (const b of health()?.breakers ?? []) this.set({ endpoint: b.endpoint }, b.retry_in_s)
      },
    }),
    ratePause: new Gauge({
      name: 'kick_rate_limit_pause_seconds', help: 'Seconds every request to Kick still waits after a 429 (Retry-After)', registers,
      collect() { this.set(health()?.budget.paused_for_s ?? 0) },
    }),
    coveredOffline: new Gauge({
      name: 'poll_covered_offline_streamers',
      help: 'Offline streamers whose webhooks are in place and flowing, polled only every POLL_COVERED_OFFLINE_EVERY-th interval', registers,
      collect() { this.set(health()?.poll.covered_offline ?? 0) },
    }),
    subscriptionsAlive: new Gauge({
      name: 'webhook_subscriptions_alive', help: 'Webhook event subscriptions Kick holds for monitored streamers (leader only; 0 elsewhere)', registers,
      collect() { this.set(health()?.webhooks.subscriptions_alive ?? 0) },
    }),
    subscriptionsDropped: new Counter({
      name: 'webhook_subscriptions_dropped_total',
      help: 'Webhook subscriptions Kick dropped (after a day of failed deliveries), found by the periodic check of Kick\'s list and re-created (leader only)',
      registers, collect: mirror(() => health()?.webhooks.subscriptions_dropped ?? 0),
    }),
    subscriptionsWanted: new Gauge({
      name: 'webhook_subscriptions_wanted', help: 'Webhook event subscriptions wanted: monitored streamers × subscribed events (leader only; 0 elsewhere)', registers,
      collect() { this.set(health()?.webhooks.subscriptions_wanted ?? 0) },
    }),
  }
}
export type PollerMetrics = ReturnType<typeof createPollerMetrics>
