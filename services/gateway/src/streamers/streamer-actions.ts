import { AppError } from '@kickmon/shared/errors'
import { Slug, parseInput } from '@kickmon/shared/validation'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { GatewayDeps } from '../deps.ts'
import type { Caller } from '../identity/request-auth.ts'

export type AddOutcome = { slug: string; created: boolean; resumed: boolean; assigned: boolean; status: StreamerStatus }

/**
 * Add a streamer as this caller: the poller checks it with Kick (a clear 404 when Kick has no
 * such channel); a `user`'s addition is assigned to them. Used by the API and the pages.
 */
export async function addStreamer(d: Pick<GatewayDeps, 'poller' | 'auth' | 'access' | 'statuses' | 'log'>, caller: Caller, rawSlug: string, rid?: string): Promise<AddOutcome> {
  if (caller.user.role === 'viewer') throw new AppError('FORBIDDEN', 'viewers cannot add streamers')
  const slug = parseInput(Slug, rawSlug)
  const r = await d.poller.call('add', { slug }, { requestId: rid, timeout: 15_000 })
  // Re-adding an archived streamer resumes it, with its history and assignments.
  if (r.created || r.resumed) await recordInAudit(d, caller, { change: r.resumed ? 'resumed' : 'added', slug }, rid)
  let assigned = false
  if (caller.user.role === 'user') {
    assigned = (await d.auth.call('assignmentsAdd', { actor: caller.actor, user_id: caller.user.id, slug }, rid)).changed
    d.access.forget(caller.user.id)
  }
  // Show it at once; the poller's own publish follows and wins, being newer.
  if (!d.statuses.get(slug)) d.statuses.set(r.status)
  return { slug, created: r.created, resumed: r.resumed, assigned, status: r.status }
}

/**
 * What the "add" form says. A user hears only about their own list: whether someone else
 * already monitored the streamer is not theirs to learn. Admins see everything anyway.
 */
export function addedMessage(role: Caller['user']['role'], r: Pick<AddOutcome, 'created' | 'resumed' | 'assigned'>): string {
  if (role !== 'admin') return r.created || r.resumed || r.assigned ? 'added to your list' : 'already on your list'
  return r.created ? 'now monitored' : r.resumed ? 'monitored again, with its history' : 'already monitored'
}

/** An admin stops monitoring (the streamer is archived, its history kept); a user only takes it off their own list. */
export async function removeStreamerFor(d: Pick<GatewayDeps, 'poller' | 'auth' | 'access' | 'log'>, caller: Caller, rawSlug: string, rid?: string): Promise<'removed' | 'unassigned'> {
  const slug = parseInput(Slug, rawSlug)
  if (caller.user.role === 'admin') {
    await d.poller.call('remove', { slug }, { requestId: rid, timeout: 15_000 })
    await recordInAudit(d, caller, { change: 'removed', slug }, rid)
    return 'removed'
  }
  if (caller.user.role !== 'user') throw new AppError('FORBIDDEN', 'viewers cannot remove streamers')
  const r = await d.auth.call('assignmentsRemove', { actor: caller.actor, user_id: caller.user.id, slug }, rid)
  if (!r.changed) throw new AppError('NOT_FOUND', `"${slug}" is not on your list`)
  d.access.forget(caller.user.id)
  return 'unassigned'
}

/**
 * The poller has already done it, so a failure to record it must not turn into an error for
 * the caller (they would retry something that happened); it is logged loudly instead.
 */
async function recordInAudit(d: Pick<GatewayDeps, 'auth' | 'log'>, caller: Caller, what: { change: 'added' | 'resumed' | 'removed'; slug: string }, rid?: string) {
  try {
    await d.auth.call('auditStreamer', { actor: caller.actor, ...what }, rid)
  } catch (err) {
    d.log.error({ err, reqId: rid, user: caller.user.id, ...what }, 'streamer change not recorded in the audit log')
  }
}
