import { Elysia } from 'elysia'
import { Histogram, type Registry } from '@kickmon/shared/metrics'

const NAME = 'http_request_duration_seconds'

/**
 * `http_request_duration_seconds{method,route,status_code}` (docs/design.md#service-conventions). `route` is the
 * template (`/api/v1/streamers/:slug`), never the raw path, so the label set stays small;
 * requests no route matched are `unmatched`. `.use()` it before the routes.
 */
export function httpMetrics(registry: Registry) {
  const histogram =
    (registry.getSingleMetric(NAME) as Histogram<'method' | 'route' | 'status_code'> | undefined) ??
    new Histogram({
      name: NAME,
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    })
  const started = new WeakMap<Request, number>()
  return new Elysia({ name: 'http-metrics' })
    .onRequest(({ request }) => void started.set(request, performance.now()))
    .onAfterResponse({ as: 'global' }, (c) => {
      const t0 = started.get(c.request)
      if (t0 === undefined) return
      histogram.observe({ method: c.request.method, route: c.route || 'unmatched', status_code: String(statusOf(c)) }, (performance.now() - t0) / 1000)
    })
}

/** The status the client got: a returned Response's, an error's, or what `set` says. */
function statusOf(c: { responseValue?: unknown; error?: unknown; set: { status?: number | string } }): number {
  if (c.responseValue instanceof Response) return c.responseValue.status
  const set = Number(c.set.status) || 200
  if (c.error) {
    const s = (c.error as { status?: unknown }).status
    return typeof s === 'number' ? s : set >= 400 ? set : 500
  }
  return set
}
