import { Registry, collectDefaultMetrics, Counter, Histogram, Gauge } from 'prom-client'

export { Counter, Histogram, Gauge }
export type { Registry }

export function createMetrics(service: string): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  return registry
}

export function natsRequestsCounter(registry: Registry) {
  return new Counter({
    name: 'nats_requests_total',
    help: 'NATS service requests handled, by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [registry],
  })
}
