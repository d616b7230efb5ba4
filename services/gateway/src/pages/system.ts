import { Elysia } from 'elysia'
import { ADMIN } from '../api/define.ts'
import type { GatewayDeps } from '../deps.ts'
import { systemPage, systemReport } from '../views/system.ts'
import { actionCaller, htmlResponse, pageCaller } from './page-kit.ts'

export const systemPages = (d: GatewayDeps) =>
  new Elysia({ name: 'system-pages' })
    .get('/system', async ({ request, server }) => {
      const p = await pageCaller(d, request, ADMIN, server)
      if (p instanceof Response) return p
      return htmlResponse(systemPage({ user: p.caller.user, csrf: p.caller.csrf ?? '', report: await d.healthReport.report() }))
    })
    .get('/system/report', async ({ request, server }) => {
      await actionCaller(d, request, ADMIN, undefined, server)
      return htmlResponse(systemReport(await d.healthReport.report()))
    })
