import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { AppError } from '@kickmon/shared/errors'
import { Slug, parseInput } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import type { Caller } from '../identity/request-auth.ts'

/**
 * The status of a streamer the caller may see. "Not monitored" and "not yours" answer the
 * same 404, so nobody can probe which streamers others watch.
 */
export async function visibleStatus(d: Pick<GatewayDeps, 'statuses' | 'access'>, caller: Caller, rawSlug: string, rid?: string): Promise<StreamerStatus> {
  const slug = parseInput(Slug, rawSlug)
  const s = d.statuses.get(slug)
  if (!s || !(await d.access.maySee(caller, slug, rid))) throw new AppError('NOT_FOUND', `no streamer "${slug}" (or you may not see it)`)
  return s
}
