import { Elysia } from 'elysia'
import { z } from 'zod'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { StreamSession } from '@kickmon/shared/contracts/poller'
import { parseInput } from '@kickmon/shared/validation'
import { ANY_ROLE, WRITERS, queryObject } from '../api/define.ts'
import { Iso, ViewersQuery, resolveViewerRange } from '../api/schemas.ts'
import { csv, csvResponse } from './csv.ts'
import type { GatewayDeps } from '../deps.ts'
import { html } from '../views/html.ts'
import type { Caller } from '../identity/request-auth.ts'
import { removeStreamerFor } from '../streamers/streamer-actions.ts'
import { historyTarget } from '../streamers/archived-streamers.ts'
import { morePage, notice } from '../views/components.ts'
import { RANGES, sessionRows, sessionsMore, streamerPage, timelineMore, timelineRows, type Range } from '../views/streamer-page.ts'
import { actionCaller, htmlResponse, pageCaller } from './page-kit.ts'

const RangeQuery = z.object({ range: z.enum(RANGES, { error: `range must be one of ${RANGES.join(', ')}` }).default('live') })
const Before = z.object({ before: Iso.optional() })
const RANGE_S: Record<Exclude<Range, 'live'>, { span: number; step: number }> = {
  '24h': { span: 86_400, step: 300 },
  '7d': { span: 7 * 86_400, step: 1800 },
  '30d': { span: 30 * 86_400, step: 7200 },
}

/** The window the "live" range shows: the current stream, else the last one. */
function liveWindow(status: { live: boolean; started_at: string | null }, sessions: StreamSession[] | null) {
  if (status.live && status.started_at) return { from: status.started_at, to: null }
  const last = sessions?.[0]
  return last ? { from: last.started_at, to: last.ended_at } : null
}

/** A range name → the poller's from/to/step (the server does the downsampling). */
export function rangeWindow(range: Range, win: { from: string; to: string | null } | null, now = Date.now()) {
  if (range === 'live') {
    if (win) return { from: win.from, to: win.to ?? new Date(now).toISOString() }
    range = '24h'
  }
  const r = RANGE_S[range]
  return { from: new Date(now - r.span * 1000).toISOString(), to: new Date(now).toISOString(), step_s: r.step }
}

export const streamerPages = (d: GatewayDeps) => {
  const settle = <T>(p: Promise<T>) => p.then((v) => v, () => null)
  const seen = async (req: Request, slug: string, server?: unknown) => {
    const p = await pageCaller(d, req, ANY_ROLE, server as never)
    if (p instanceof Response) return p
    const target = await historyTarget(d, p.caller, slug, p.rid)
    return { ...p, status: target.status, archivedAt: target.archivedAt }
  }
  // Fragments and downloads: no redirect dance, a plain 401/403/404 when not allowed.
  const fragmentCaller = async (req: Request, slug: string): Promise<{ caller: Caller; rid: string; slug: string; status: StreamerStatus; archivedAt: string | null }> => {
    const { caller, rid } = await actionCaller(d, req, ANY_ROLE)
    const { status, archivedAt } = await historyTarget(d, caller, slug, rid)
    return { caller, rid, slug: status.slug, status, archivedAt }
  }

  return new Elysia({ name: 'streamer-pages' })
    .get('/streamers/:slug', async ({ request, params, server }) => {
      const r = await seen(request, params.slug, server)
      if (r instanceof Response) return r
      const { range } = parseInput(RangeQuery, r.query)
      const slug = r.status.slug
      const cursor = d.feedLog.cursor()
      const [profile, sessions, events] = await Promise.all([
        d.profiles.get(slug, r.rid),
        settle(d.poller.call('sessions', { slug, limit: 20 }, { requestId: r.rid })),
        settle(d.poller.call('events', { slug, limit: 50 }, { requestId: r.rid })),
      ])
      return htmlResponse(streamerPage({
        user: r.caller.user, csrf: r.caller.csrf ?? '', status: r.archivedAt ? r.status : d.statuses.get(slug) ?? r.status, profile, sessions, events, range, archivedAt: r.archivedAt,
        liveWindow: liveWindow(r.status, sessions), cursor, kickUrl: `${d.config.KICK_WEB_URL.replace(/\/$/, '')}/${slug}`, extras: d.trend,
      }))
    })
    .get('/streamers/:slug/sessions', async ({ request, params }) => {
      const { rid, slug, archivedAt } = await fragmentCaller(request, params.slug)
      const { before } = parseInput(Before, queryObject(new URL(request.url)))
      const list = await d.poller.call('sessions', { slug, limit: 20, before }, { requestId: rid })
      return htmlResponse(morePage('sessions-body', sessionRows(list, archivedAt), sessionsMore(slug, list)))
    })
    .get('/streamers/:slug/timeline', async ({ request, params }) => {
      const { rid, slug } = await fragmentCaller(request, params.slug)
      const { before } = parseInput(Before, queryObject(new URL(request.url)))
      const list = await d.poller.call('events', { slug, limit: 50, before }, { requestId: rid })
      return htmlResponse(morePage('timeline-body', timelineRows(list), timelineMore(slug, list)))
    })
    // CSV: ?range=live|24h|7d|30d, or an explicit from/to/step (the API's query).
    .get('/streamers/:slug/viewers.csv', async ({ request, params }) => {
      const { rid, slug, status: seenStatus } = await fragmentCaller(request, params.slug)
      const q = queryObject(new URL(request.url))
      let win: { from: string; to: string; step_s?: number }
      let label: string
      if (q.from || q.to || q.step) {
        win = resolveViewerRange(parseInput(ViewersQuery, q))
        label = 'custom'
      } else {
        const { range } = parseInput(RangeQuery, q)
        const status = d.statuses.get(slug) ?? seenStatus // archived: its last known state, never live
        const sessions = range === 'live' && !status.live ? await settle(d.poller.call('sessions', { slug, limit: 1 }, { requestId: rid })) : null
        win = rangeWindow(range, liveWindow(status, sessions))
        label = range
      }
      const h = await d.poller.call('viewers', { slug, ...win }, { requestId: rid, timeout: 15_000 })
      return csvResponse(
        csv(['at', 'avg_viewers', 'min_viewers', 'max_viewers'], h.points.map((p) => [p.at, p.avg, p.min, p.max])),
        `kickmon-${slug}-viewers-${label}-${h.step_s}s.csv`,
      )
    })
    .get('/streamers/:slug/sessions.csv', async ({ request, params }) => {
      const { rid, slug } = await fragmentCaller(request, params.slug)
      const all: StreamSession[] = []
      let before: string | undefined
      for (let i = 0; i < 20; i++) {
        const page = await d.poller.call('sessions', { slug, limit: 500, before }, { requestId: rid, timeout: 15_000 })
        all.push(...page)
        if (page.length < 500) break
        before = page.at(-1)!.started_at
      }
      return csvResponse(
        csv(
          ['started_at', 'ended_at', 'duration_s', 'peak_viewers', 'peak_at', 'avg_viewers', 'hours_watched', 'title', 'category'],
          all.map((s) => [s.started_at, s.ended_at, s.duration_s, s.peak_viewers, s.peak_at, s.avg_viewers, s.hours_watched, s.title, s.category]),
        ),
        `kickmon-${slug}-streams.csv`,
      )
    })
    // A user takes a streamer off their own list (admins stop monitoring on /admin/streamers).
    .delete('/streamers/:slug', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, WRITERS, undefined, server)
      await removeStreamerFor(d, caller, params.slug, rid)
      return htmlResponse(notice('removed'), 200, { 'hx-redirect': '/' })
    })
}
