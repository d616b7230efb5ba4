import { Counter, Histogram, Gauge, type Registry } from '@kickmon/shared/metrics'

// The notifier's own series (docs/operations.md lists them).
export function notifierMetrics(registry?: Registry) {
  const registers = registry ? [registry] : []
  return {
    deliveries: new Counter({
      name: 'notifier_deliveries_total',
      help: 'Finished delivery attempts by channel type and outcome (sent, retry, failed, skipped, broken)',
      labelNames: ['channel_type', 'outcome'] as const,
      registers,
    }),
    latency: new Histogram({
      name: 'notifier_event_to_request_seconds',
      help: 'From the event (its detection time) to the first byte of the request to the provider',
      labelNames: ['channel_type'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    events: new Counter({
      name: 'notifier_events_total',
      help: 'KICK_EVENTS messages read, by outcome (matched, unmatched, too_old, malformed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    pending: new Gauge({ name: 'notifier_deliveries_pending', help: 'Deliveries waiting to be sent (last look)', registers }),
  }
}

export type NotifierMetrics = ReturnType<typeof notifierMetrics>
