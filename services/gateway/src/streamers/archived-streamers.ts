import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { AppError, isAppError } from '@kickmon/shared/errors'
import type { ArchivedStreamer, PurgeResult } from '@kickmon/shared/contracts/poller'
import { Slug, parseInput } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import type { Caller } from '../identity/request-auth.ts'
import { visibleStatus } from './streamer-access.ts'

// Archived streamers: removed from monitoring with their history kept. Only admins see them
// (their history stays browsable); everyone else gets the same 404 as for any unknown slug.

export type HistoryTarget = { status: StreamerStatus; archivedAt: string | null }

/** A streamer whose history the caller may read: one they may see, or (admins) an archived one. */
export async function historyTarget(d: Pick<GatewayDeps, 'statuses' | 'access' | 'poller'>, caller: Caller, rawSlug: string, rid?: string): Promise<HistoryTarget> {
  try {
    return { status: await visibleStatus(d, caller, rawSlug, rid), archivedAt: null }
  } catch (e) {
    if (!isAppError(e, 'NOT_FOUND') || caller.user.role !== 'admin') throw e
    const slug = parseInput(Slug, rawSlug)
    const profile = await d.poller.call('profile', { slug }, { requestId: rid }).catch((err) => {
      if (isAppError(err, 'NOT_FOUND')) throw e
      throw err
    })
    if (!profile.archived_at) throw e // monitored a moment ago and not yet in our status copy: the same 404
    return { status: { ...profile.status, live: false, stale: false }, archivedAt: profile.archived_at }
  }
}

export async function archivedStreamers(d: Pick<GatewayDeps, 'poller'>, caller: Caller, rid?: string): Promise<ArchivedStreamer[]> {
  if (caller.user.role !== 'admin') throw new AppError('FORBIDDEN', 'only an admin may list archived streamers')
  return d.poller.call('archived', {}, { requestId: rid })
}

/**
 * Delete an archived streamer's whole history (admins only; a monitored streamer is a 409).
 * Viewers get the 404 they get for any streamer outside their list; users a 403.
 */
export async function purgeArchived(d: Pick<GatewayDeps, 'poller' | 'auth' | 'log'>, caller: Caller, rawSlug: string, rid?: string): Promise<PurgeResult> {
  const slug = parseInput(Slug, rawSlug)
  if (caller.user.role === 'viewer') throw new AppError('NOT_FOUND', `no streamer "${slug}" (or you may not see it)`)
  if (caller.user.role !== 'admin') throw new AppError('FORBIDDEN', "only an admin may purge a streamer's history")
  const r = await d.poller.call('purge', { slug }, { requestId: rid, timeout: 60_000 })
  const purged = { events: r.events, sessions: r.sessions, samples: r.samples }
  try {
    await d.auth.call('auditStreamer', { actor: caller.actor, change: 'purged', slug, purged }, rid)
  } catch (err) {
    // Done by then: the caller must not retry it; the missing audit line is logged loudly.
    d.log.error({ err, reqId: rid, user: caller.user.id, slug, purged }, 'streamer purge not recorded in the audit log')
  }
  return r
}
