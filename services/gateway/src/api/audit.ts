import { z } from 'zod'
import { AuthApi } from '@kickmon/shared/contracts/auth'
import type { GatewayDeps } from '../deps.ts'
import { ADMIN, route } from './define.ts'

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  action: z.string().max(64).regex(/^[a-z_.]+$/, 'an action is lowercase letters, "_" and "." (a trailing "." matches a prefix)').optional(),
  actor_id: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  target: z.string().min(1).max(256).optional(),
})

export const auditRoutes = (d: GatewayDeps) => [
  route({
    method: 'GET', path: '/api/v1/audit', tag: 'admin', access: ADMIN, query: AuditQuery,
    summary: 'The audit log, newest first. Page backwards with before = next_before.',
    ok: { status: 200, schema: AuthApi.auditList.output, description: '{items, next_before}' },
    handle: ({ caller, query, rid }) => d.auth.call('auditList', { actor: caller.actor, ...query }, rid),
  }),
]
