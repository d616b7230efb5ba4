import { z } from 'zod'
import { Role } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { clearSessionCookies, sessionCookie } from '../identity/cookies.ts'
import type { GatewayDeps } from '../deps.ts'
import { checkStrictOrigin } from '../identity/request-auth.ts'
import { json } from '../http/errors.ts'
import { ANY_ROLE, route } from './define.ts'

export const Credentials = z.object({
  username: z.string().trim().min(1, 'required').max(256),
  password: z.string().min(1, 'required').max(1024),
})

export const authApiRoutes = (d: GatewayDeps) => [
  route({
    method: 'POST', path: '/api/v1/auth/login', tag: 'auth', access: 'public', body: Credentials,
    summary: 'Log in: sets the session cookie and answers the CSRF token for state-changing requests. Unknown user and wrong password get the same 401.',
    errors: [401, 429],
    ok: {
      status: 200, description: '{user, csrf_token} and Set-Cookie',
      schema: z.object({ user: z.object({ id: z.number().int(), username: z.string(), role: Role }), csrf_token: z.string() }),
    },
    handle: async ({ body, req, ip, rid }) => {
      checkStrictOrigin(req)
      const r = await d.auth.login({ ...body, ...(ip ? { ip } : {}), user_agent: req.headers.get('user-agent') ?? undefined }, rid)
      const maxAge = (Date.parse(r.expires_at) - Date.now()) / 1000
      const res = json(200, { user: { id: r.user.id, username: r.user.username, role: r.user.role }, csrf_token: r.csrf_token })
      res.headers.append('set-cookie', sessionCookie(req, r.token, maxAge))
      return res
    },
  }),
  route({
    method: 'POST', path: '/api/v1/auth/logout', tag: 'auth', access: ANY_ROLE,
    summary: 'End the session you are using (its open dashboards close at once).',
    ok: { status: 200, schema: z.object({ ok: z.literal(true) }), description: '{ok: true} and a cleared cookie' },
    handle: async ({ caller, rid }) => {
      if (caller.via === 'api_key') throw new AppError('BAD_REQUEST', 'an API key has no session to end; revoke the key instead')
      await d.auth.logout(caller.credential, rid)
      d.sessions.forget(caller.credential)
      const res = json(200, { ok: true })
      for (const c of clearSessionCookies()) res.headers.append('set-cookie', c)
      return res
    },
  }),
]
