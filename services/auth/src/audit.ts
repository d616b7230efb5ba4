import { AppError } from '@kickmon/shared/errors'
import type { AuditEntry } from '@kickmon/shared/contracts/auth'
import type { Principal } from './actors.ts'
import { iso, type AuthDeps, type Db } from './deps.ts'

// The audit log: one row per security-relevant action, never updated.

export type AuditAction =
  | 'login.success' | 'login.failure' | 'logout'
  | 'session.revoke'
  | 'user.bootstrap' | 'user.create' | 'user.update' | 'user.role_change' | 'user.disable' | 'user.enable' | 'user.delete'
  | 'password.change' | 'password.reset'
  | 'assignments.set' | 'assignments.add' | 'assignments.remove'
  | 'apikey.create' | 'apikey.revoke'
  | 'config.set' | 'config.delete'
  | 'streamer.add' | 'streamer.resume' | 'streamer.remove' | 'streamer.purge'
  | 'page.create' | 'page.update' | 'page.delete'
  | 'sharelink.create' | 'sharelink.revoke'

export type AuditRecord = {
  action: AuditAction
  actor?: Principal | null
  /** For actions without a resolved actor (logins). */
  actorId?: number | null
  actorName?: string | null
  target?: string | null
  ip?: string | null
  details?: Record<string, unknown>
}

export async function audit(sql: Db, r: AuditRecord): Promise<void> {
  const a = r.actor
  const actorId = a ? a.userId : (r.actorId ?? null)
  const actorName = a ? a.label : (r.actorName ?? null)
  const details = { ...(a && a.kind !== 'session' ? { via: a.kind } : {}), ...r.details }
  await sql`
    insert into audit_log (actor_id, actor_name, action, target, ip, details)
    values (${actorId}, ${actorName}, ${r.action}, ${r.target ?? null}, ${r.ip ?? a?.ip ?? null},
            ${Object.keys(details).length ? sql.json(details as never) : null})`
}

type Row = { id: string; at: Date; actor_id: number | null; actor_name: string | null; action: string; target: string | null; ip: string | null; details: unknown }

export async function listAudit(
  deps: Pick<AuthDeps, 'sql'>,
  q: { limit: number; before?: number; action?: string; actor_id?: number; target?: string },
): Promise<{ items: AuditEntry[]; next_before: number | null }> {
  const { sql } = deps
  if (q.action !== undefined && q.action.length === 0) throw new AppError('VALIDATION', 'action: must not be empty')
  const rows = await sql<Row[]>`
    select id, at, actor_id, actor_name, action, target, ip, details from audit_log
    where true
      ${q.before ? sql`and id < ${q.before}` : sql``}
      ${q.action ? (q.action.endsWith('.') ? sql`and action like ${q.action + '%'}` : sql`and action = ${q.action}`) : sql``}
      ${q.actor_id ? sql`and actor_id = ${q.actor_id}` : sql``}
      ${q.target ? sql`and target = ${q.target}` : sql``}
    order by id desc
    limit ${q.limit + 1}`
  const page = rows.slice(0, q.limit)
  return {
    items: page.map((r) => ({ ...r, id: Number(r.id), at: iso(r.at) })),
    next_before: rows.length > q.limit ? Number(page.at(-1)!.id) : null,
  }
}
