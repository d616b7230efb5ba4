import { Gauge, type Registry } from '@kickmon/shared/metrics'

const NAME = 'gateway_live_connections'

/**
 * `gateway_live_connections{transport}`: open `/ws` sockets (`websocket`) and
 * `/api/v1/stream` streams (`sse`), read at scrape time, so nothing is counted on the hot path
 * and a missed close can never make the gauge drift.
 */
export function connectionMetrics(registry: Registry, sizes: { websocket: () => number; sse: () => number }) {
  // A second app on the same registry (tests) reads its own feed, not the first one's.
  registry.removeSingleMetric(NAME)
  new Gauge({
    name: NAME,
    help: 'Open live connections: dashboard WebSockets (/ws) and SSE event streams (/api/v1/stream)',
    labelNames: ['transport'] as const,
    registers: [registry],
    collect() {
      this.set({ transport: 'websocket' }, sizes.websocket())
      this.set({ transport: 'sse' }, sizes.sse())
    },
  })
}
