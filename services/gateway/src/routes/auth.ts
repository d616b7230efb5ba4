import { Elysia } from 'elysia'
import { z } from 'zod'
import { AppError, isAppError } from '@kickmon/shared/errors'
import { parseInput } from '@kickmon/shared/validation'
import { clearSessionCookies, sessionCookie } from '../cookies.ts'
import type { GatewayDeps } from '../deps.ts'
import { callerOf, checkCsrf, checkOrigin, requireCaller } from '../request-auth.ts'
import { loginPage } from '../views/login.ts'
import { json } from './errors.ts'

const Credentials = z.object({ username: z.string().trim().min(1, 'required').max(64), password: z.string().min(1, 'required').max(128) })

function clientIp(req: Request, server: { requestIP(r: Request): { address: string } | null } | null): string | undefined {
  return server?.requestIP(req)?.address
}

export const authRoutes = (d: GatewayDeps) =>
  new Elysia({ name: 'auth-routes' })
    .get('/login', async ({ request }) => {
      const caller = await callerOf(request, d.sessions).catch(() => null)
      if (caller) return Response.redirect('/', 303)
      return new Response(loginPage(), { headers: { 'content-type': 'text/html; charset=utf-8' } })
    })
    // The login form works without JavaScript: a plain POST, then a redirect.
    .post('/login', async ({ request, server }) => {
      checkOrigin(request)
      const form = await request.formData().catch(() => null)
      const username = String(form?.get('username') ?? '')
      const input = Credentials.safeParse({ username, password: String(form?.get('password') ?? '') })
      const html = (body: string, status: number) => new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } })
      if (!input.success) return html(loginPage({ error: 'enter a username and a password', username }), 422)
      try {
        const r = await d.auth.login({ ...input.data, ip: clientIp(request, server), user_agent: request.headers.get('user-agent') ?? undefined })
        const maxAge = (Date.parse(r.expires_at) - Date.now()) / 1000
        return new Response(null, { status: 303, headers: { location: '/', 'set-cookie': sessionCookie(request, r.token, maxAge) } })
      } catch (e) {
        if (isAppError(e) && e.status < 500) return html(loginPage({ error: e.message, username }), e.status)
        throw e
      }
    })
    .post('/logout', async ({ request }) => {
      const caller = await callerOf(request, d.sessions)
      if (caller) {
        const form = await request.formData().catch(() => null)
        checkCsrf(request, caller, String(form?.get('csrf_token') ?? '') || undefined)
        await d.auth.logout(caller.session.token).catch(() => {})
        d.sessions.forget(caller.session.token)
      }
      const headers = new Headers({ location: '/login' })
      for (const c of clearSessionCookies()) headers.append('set-cookie', c)
      return new Response(null, { status: 303, headers })
    })
    .post('/api/v1/auth/login', async ({ request, server }) => {
      checkOrigin(request)
      let body: unknown
      try {
        body = await request.json()
      } catch {
        throw new AppError('BAD_REQUEST', 'send a JSON body {"username": "...", "password": "..."}')
      }
      const creds = parseInput(Credentials, body)
      const r = await d.auth.login({ ...creds, ip: clientIp(request, server), user_agent: request.headers.get('user-agent') ?? undefined })
      const maxAge = (Date.parse(r.expires_at) - Date.now()) / 1000
      const res = json(200, { user: { id: r.user.id, username: r.user.username, role: r.user.role }, csrf_token: r.csrf_token })
      res.headers.append('set-cookie', sessionCookie(request, r.token, maxAge))
      return res
    })
    .post('/api/v1/auth/logout', async ({ request }) => {
      const caller = requireCaller(await callerOf(request, d.sessions))
      checkCsrf(request, caller)
      await d.auth.logout(caller.session.token)
      d.sessions.forget(caller.session.token)
      const res = json(200, { ok: true })
      for (const c of clearSessionCookies()) res.headers.append('set-cookie', c)
      return res
    })
