import { Elysia } from 'elysia'
import { isAppError } from '@kickmon/shared/errors'
import { Credentials } from '../api/auth.ts'
import { clearSessionCookies, sessionCookie } from '../identity/cookies.ts'
import type { GatewayDeps } from '../deps.ts'
import { callerOf, checkChange, checkStrictOrigin } from '../identity/request-auth.ts'
import { clientIpOf, requestIdOf } from '../http/request-id.ts'
import { loginPage } from '../views/login.ts'

const html = (body: string, status = 200, extra: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...extra } })

/** The login page and form (plain POST + redirect: works without JavaScript) and logout. */
export const authRoutes = (d: GatewayDeps) =>
  new Elysia({ name: 'auth-pages' })
    .get('/login', async ({ request }) => {
      const caller = await callerOf(request, d).catch(() => null)
      const next = safeNext(new URL(request.url).searchParams.get('next'))
      if (caller?.via === 'cookie') return new Response(null, { status: 303, headers: { location: next } })
      return html(loginPage({ next: next === '/' ? undefined : next }))
    })
    .post('/login', async ({ request, server, body }) => {
      checkStrictOrigin(request)
      const form = (body ?? {}) as Record<string, unknown>
      const username = typeof form.username === 'string' ? form.username.slice(0, 256) : ''
      const input = Credentials.safeParse({ username, password: typeof form.password === 'string' ? form.password : '' })
      if (!input.success) return html(loginPage({ error: 'enter a username and a password', username, next: safeNext(form.next) }), 422)
      const ip = clientIpOf(request, server)
      try {
        const r = await d.auth.login({ ...input.data, ...(ip ? { ip } : {}), user_agent: request.headers.get('user-agent') ?? undefined }, requestIdOf(request))
        const maxAge = (Date.parse(r.expires_at) - Date.now()) / 1000
        const next = safeNext(form.next)
        return new Response(null, { status: 303, headers: { location: next, 'set-cookie': sessionCookie(request, r.token, maxAge) } })
      } catch (e) {
        if (isAppError(e) && e.status < 500) {
          const retry = (e.details as { retry_after_s?: number } | undefined)?.retry_after_s
          return html(loginPage({ error: e.message, username, next: safeNext(form.next) }), e.status, retry ? { 'retry-after': String(retry) } : {})
        }
        throw e
      }
    })
    .post('/logout', async ({ request, body }) => {
      const caller = await callerOf(request, d)
      if (caller && caller.via === 'cookie') {
        const form = (body ?? {}) as Record<string, unknown>
        checkChange(request, caller, typeof form.csrf_token === 'string' ? form.csrf_token : undefined)
        await d.auth.logout(caller.credential, requestIdOf(request)).catch(() => {})
        d.sessions.forget(caller.credential)
      }
      const headers = new Headers({ location: '/login' })
      for (const c of clearSessionCookies()) headers.append('set-cookie', c)
      return new Response(null, { status: 303, headers })
    })

/** Only our own paths: a login link can never send someone elsewhere. */
function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/(?!\/)[A-Za-z0-9/_\-.?=&%]*$/.test(v) && !v.startsWith('/login') ? v : '/'
}
