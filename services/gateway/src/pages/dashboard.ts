import { Elysia } from 'elysia'
import { z } from 'zod'
import { parseInput } from '@kickmon/shared/validation'
import { ANY_ROLE, WRITERS } from '../api/define.ts'
import { DashQuery } from '../views/dashboard-view.ts'
import type { GatewayDeps } from '../deps.ts'
import { html } from '../views/html.ts'
import { addStreamer, addedMessage } from '../streamers/streamer-actions.ts'
import { notice } from '../views/components.ts'
import { dashboardPage } from '../views/dashboard.ts'
import { actionCaller, formInput, htmlResponse, pageCaller, slugFromInput } from './page-kit.ts'

export const dashboardRoutes = (d: GatewayDeps) =>
  new Elysia({ name: 'dashboard' })
    .get('/', async ({ request, server }) => {
      const p = await pageCaller(d, request, ANY_ROLE, server)
      if (p instanceof Response) return p
      const q = parseInput(DashQuery, p.query)
      // The cursor is taken before reading statuses, so the socket's catch-up covers any race.
      const cursor = d.feedLog.cursor()
      const statuses = await d.access.filter(p.caller, d.statuses.all(), p.rid)
      return htmlResponse(dashboardPage({ user: p.caller.user, csrf: p.caller.csrf ?? '', statuses, q, cursor, extras: d.trend }))
    })
    // The dashboard's "add a streamer" form (admins and users).
    .post('/streamers', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, WRITERS, body, server)
      const { slug } = formInput(z.object({ slug: z.string().min(1, 'enter a slug or a kick.com link').max(200) }), body)
      const r = await addStreamer(d, caller, slugFromInput(slug), rid)
      const what = addedMessage(caller.user.role, r)
      return htmlResponse(notice(html`<a href="/streamers/${r.slug}">${r.status.username || r.slug}</a>: ${what}.`))
    })
