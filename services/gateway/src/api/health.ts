import { z } from 'zod'
import type { GatewayDeps } from '../deps.ts'
import { ADMIN, route } from './define.ts'

const Check = z.object({ name: z.string(), ok: z.boolean(), critical: z.boolean(), ms: z.number(), error: z.string().optional() })
export const HealthReportSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  at: z.string(),
  services: z.array(z.object({
    name: z.string(), id: z.string(), version: z.string(), started: z.string().nullable(),
    endpoints: z.number(), requests: z.number(), errors: z.number(), avg_ms: z.number().nullable(),
    readyz: z.object({ url: z.string().nullable(), ok: z.boolean(), status: z.string(), checks: z.array(Check), error: z.string().optional() }).nullable(),
  })),
  missing: z.array(z.string()),
  nats: z.object({ connected: z.boolean(), server: z.string().nullable(), version: z.string().nullable(), jetstream: z.boolean().nullable(), rtt_ms: z.number().nullable(), error: z.string().optional() }),
  postgres: z.object({ ok: z.boolean(), ms: z.number().nullable(), reported_by: z.array(z.string()), error: z.string().optional() }),
  upstream: z.unknown().nullable(),
  upstream_error: z.string().optional(),
})

export const healthRoutes = (d: GatewayDeps) => [
  route({
    method: 'GET', path: '/api/v1/health', tag: 'system', access: ADMIN,
    summary: 'Every service instance ($SRV PING/INFO/STATS and its /readyz), NATS, PostgreSQL and the poller’s upstream report. `status` is ok, degraded or down.',
    ok: { status: 200, schema: HealthReportSchema, description: 'HealthReport' },
    handle: () => d.healthReport.report(),
  }),
]
