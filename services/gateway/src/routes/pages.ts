import { Elysia } from 'elysia'
import type { GatewayDeps } from '../deps.ts'
import { callerOf } from '../request-auth.ts'
import { dashboardPage } from '../views/dashboard.ts'

const htmlResponse = (body: string) => new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } })

export const pageRoutes = (d: GatewayDeps) =>
  new Elysia({ name: 'pages' }).get('/', async ({ request }) => {
    const caller = await callerOf(request, d.sessions)
    if (!caller) return Response.redirect('/login', 303)
    const visible = await d.access.filter(caller.session, d.statuses.all())
    return htmlResponse(dashboardPage(caller.session.user, caller.session.csrf_token, visible))
  })
