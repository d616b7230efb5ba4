import { z } from 'zod'
import { StatusEvent, StreamerStatus } from '@kickmon/shared/contracts/status'
import { ArchivedStreamer, PurgeResult, StreamerProfile, StreamSession, ViewerHistory } from '@kickmon/shared/contracts/poller'
import { AppError } from '@kickmon/shared/errors'
import { Slug } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import { archivedStreamers, historyTarget, purgeArchived } from '../streamers/archived-streamers.ts'
import { addStreamer, removeStreamerFor } from '../streamers/streamer-actions.ts'
import { visibleStatus } from '../streamers/streamer-access.ts'
import { json } from '../http/errors.ts'
import { ANY_ROLE, WRITERS, route } from './define.ts'
import { Iso, Limit, SlugParams, ViewersQuery, resolveViewerRange } from './schemas.ts'

const ListQuery = z.object({
  live: z.stringbool().optional(),
  /** Admins: the archived streamers (removed, history kept) instead of the monitored ones. */
  archived: z.stringbool().optional(),
  limit: z.coerce.number().int().min(1).max(20_000).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})

export const streamerRoutes = (d: GatewayDeps) => [
  route({
    method: 'GET', path: '/api/v1/streamers', tag: 'streamers', access: ANY_ROLE, query: ListQuery,
    summary: 'Every streamer the caller may see, by slug. Page with limit/offset (X-Total-Count, Link headers). ' +
      'Admins: `archived=true` lists the archived streamers instead (removed from monitoring, history kept), most recently archived first.',
    ok: { status: 200, schema: z.union([z.array(StreamerStatus), z.array(ArchivedStreamer)]), description: 'StreamerStatus[]; with archived=true, ArchivedStreamer[]' },
    handle: async ({ caller, query, rid, req }) => {
      if (query.archived && query.live !== undefined) throw new AppError('VALIDATION', 'live: archived streamers are not monitored, so live does not combine with archived=true')
      let list: { slug: string; live?: boolean }[] = query.archived
        ? await archivedStreamers(d, caller, rid)
        : (await d.access.filter(caller, d.statuses.all(), rid)).sort((a, b) => a.slug.localeCompare(b.slug))
      if (query.live !== undefined) list = list.filter((s) => s.live === query.live)
      const total = list.length
      const page = query.limit === undefined ? list.slice(query.offset) : list.slice(query.offset, query.offset + query.limit)
      const headers: Record<string, string> = { 'x-total-count': String(total) }
      if (query.limit !== undefined && query.offset + query.limit < total) {
        const next = new URL(req.url)
        next.searchParams.set('offset', String(query.offset + query.limit))
        headers.link = `<${next.pathname}${next.search}>; rel="next"`
      }
      return json(200, page, headers)
    },
  }),
  route({
    method: 'GET', path: '/api/v1/streamers/:slug', tag: 'streamers', access: ANY_ROLE, params: SlugParams,
    summary: 'One streamer’s current status.', errors: [404],
    ok: { status: 200, schema: StreamerStatus, description: 'StreamerStatus' },
    handle: ({ caller, params, rid }) => visibleStatus(d, caller, params.slug, rid),
  }),
  route({
    method: 'GET', path: '/api/v1/streamers/:slug/profile', tag: 'streamers', access: ANY_ROLE, params: SlugParams,
    summary: 'Profile: banner, bio, followers and subscribers (each with when it was read; null when no source has it), monitored since, archived_at, with the current status. Admins also get archived streamers.', errors: [404, 503],
    ok: { status: 200, schema: StreamerProfile, description: 'StreamerProfile' },
    handle: async ({ caller, params, rid }) => {
      const { status: s } = await historyTarget(d, caller, params.slug, rid)
      return d.poller.call('profile', { slug: s.slug }, { requestId: rid })
    },
  }),
  route({
    method: 'GET', path: '/api/v1/streamers/:slug/events', tag: 'streamers', access: ANY_ROLE, params: SlugParams,
    query: z.object({ limit: Limit(500, 50), before: Iso.optional(), type: z.enum(['online', 'offline', 'title', 'category']).optional() }),
    summary: 'Status events, newest first. Page backwards with before = the last event’s `at`.', errors: [404],
    ok: { status: 200, schema: z.array(StatusEvent), description: 'StatusEvent[]' },
    handle: async ({ caller, params, query, rid }) => {
      const { status: s } = await historyTarget(d, caller, params.slug, rid)
      return d.poller.call('events', { slug: s.slug, limit: query.limit, before: query.before, type: query.type }, { requestId: rid })
    },
  }),
  route({
    method: 'GET', path: '/api/v1/streamers/:slug/viewers', tag: 'streamers', access: ANY_ROLE, params: SlugParams, query: ViewersQuery,
    summary: 'Viewer history in [from, to) (default: the last 24 h), averaged per bucket of `step` seconds (default: ≤ 500 points).', errors: [404],
    ok: { status: 200, schema: ViewerHistory, description: 'ViewerHistory' },
    handle: async ({ caller, params, query, rid }) => {
      const { status: s } = await historyTarget(d, caller, params.slug, rid)
      return d.poller.call('viewers', { slug: s.slug, ...resolveViewerRange(query) }, { requestId: rid })
    },
  }),
  route({
    method: 'GET', path: '/api/v1/streamers/:slug/sessions', tag: 'streamers', access: ANY_ROLE, params: SlugParams,
    query: z.object({ limit: Limit(500, 50), before: Iso.optional() }),
    summary: 'Past and current streams, newest first: duration, peak (and when), time-weighted average, hours watched.', errors: [404],
    ok: { status: 200, schema: z.array(StreamSession), description: 'StreamSession[]' },
    handle: async ({ caller, params, query, rid }) => {
      const { status: s } = await historyTarget(d, caller, params.slug, rid)
      return d.poller.call('sessions', { slug: s.slug, limit: query.limit, before: query.before }, { requestId: rid })
    },
  }),
  route({
    method: 'POST', path: '/api/v1/streamers', tag: 'streamers', access: WRITERS, body: z.object({ slug: Slug }),
    summary: 'Monitor a streamer (checked with Kick first). A user’s addition is assigned to them.', errors: [404, 503],
    ok: { status: 201, schema: StreamerStatus, description: 'StreamerStatus' },
    handle: async ({ caller, body, rid }) => (await addStreamer(d, caller, body.slug, rid)).status,
  }),
  route({
    method: 'DELETE', path: '/api/v1/streamers/:slug', tag: 'streamers', access: WRITERS, params: SlugParams,
    summary: 'Admin: stop monitoring and archive the streamer: its events, streams, viewer samples, profile and assignments are kept, ' +
      'and adding the slug again resumes it. Nothing is deleted (see purge). User: remove it from your own list (your assignment).', errors: [404],
    ok: { status: 204, description: 'archived (admin) or unassigned (user)' },
    handle: async ({ caller, params, rid }) => {
      await removeStreamerFor(d, caller, params.slug, rid)
      return null
    },
  }),
  route({
    method: 'POST', path: '/api/v1/streamers/:slug/purge', tag: 'streamers', access: ANY_ROLE, params: SlugParams,
    summary: 'Admin: delete an archived streamer and its whole history (events, streams, viewer samples, profile) for good, in one transaction; audited. ' +
      'A monitored streamer is refused with 409 (remove it first). Users get 403, viewers 404.', errors: [404, 409],
    ok: { status: 200, schema: PurgeResult, description: 'what was deleted: the streamer row and these rows of history' },
    handle: ({ caller, params, rid }) => purgeArchived(d, caller, params.slug, rid),
  }),
]
