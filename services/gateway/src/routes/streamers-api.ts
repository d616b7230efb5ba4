import { Elysia } from 'elysia'
import { z } from 'zod'
import { StreamerStatus } from '@kickmon/shared/contracts'
import { AppError } from '@kickmon/shared/errors'
import { request as natsRequest } from '@kickmon/shared/rpc'
import { endpoints } from '@kickmon/shared/subjects'
import { Slug, parseInput } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import { callerOf, checkCsrf, requireCaller } from '../request-auth.ts'
import { json } from './errors.ts'

const AddResult = z.object({ created: z.boolean(), status: StreamerStatus })

export const streamerApi = (d: GatewayDeps) =>
  new Elysia({ name: 'streamers-api', prefix: '/api/v1/streamers' })
    .get('/', async ({ request }) => {
      const caller = requireCaller(await callerOf(request, d.sessions))
      const list = await d.access.filter(caller.session, d.statuses.all())
      return json(200, list.sort((a, b) => a.slug.localeCompare(b.slug)))
    })
    .get('/:slug', async ({ request, params }) => {
      const caller = requireCaller(await callerOf(request, d.sessions))
      const slug = parseInput(Slug, params.slug)
      const s = d.statuses.get(slug)
      // Not visible and not monitored look the same, so ids cannot be probed.
      if (!s || !(await d.access.maySee(caller.session, slug))) throw new AppError('NOT_FOUND', `no streamer "${slug}"`)
      return json(200, s)
    })
    .post('/', async ({ request }) => {
      const caller = requireCaller(await callerOf(request, d.sessions))
      checkCsrf(request, caller)
      if (caller.session.user.role === 'viewer') throw new AppError('FORBIDDEN', 'viewers cannot add streamers')
      const body = await request.json().catch(() => {
        throw new AppError('BAD_REQUEST', 'send a JSON body {"slug": "..."}')
      })
      const { slug } = parseInput(z.object({ slug: Slug }), body)
      const r = await natsRequest(d.nc, endpoints.poller.add, { slug }, AddResult, { timeout: 15_000 })
      if (caller.session.user.role === 'user')
        await d.auth.call('assignmentsAdd', { actor: { session: caller.session.token }, user_id: caller.session.user.id, slug })
      d.statuses.set(r.status)
      return json(201, r.status)
    })
    .delete('/:slug', async ({ request, params }) => {
      const caller = requireCaller(await callerOf(request, d.sessions))
      checkCsrf(request, caller)
      const slug = parseInput(Slug, params.slug)
      if (caller.session.user.role !== 'admin') throw new AppError('FORBIDDEN', 'only admins remove streamers')
      await natsRequest(d.nc, endpoints.poller.remove, { slug }, z.unknown())
      return new Response(null, { status: 204 })
    })
