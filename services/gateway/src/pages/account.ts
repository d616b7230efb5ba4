import { Elysia } from 'elysia'
import { z } from 'zod'
import { ApiKeyScope, NewPassword, SessionId } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { parseInput } from '@kickmon/shared/validation'
import { ANY_ROLE } from '../api/define.ts'
import { IdParams } from '../api/schemas.ts'
import { clearSessionCookies } from '../identity/cookies.ts'
import type { GatewayDeps } from '../deps.ts'
import { notice } from '../views/components.ts'
import { accountPage, newKeyShown } from '../views/account.ts'
import { actionCaller, formInput, htmlResponse, pageCaller } from './page-kit.ts'

const PasswordForm = z.object({
  current_password: z.string().min(1, 'enter your current password').max(1024),
  new_password: NewPassword,
  confirm: z.string().max(1024),
})

export const accountPages = (d: GatewayDeps) =>
  new Elysia({ name: 'account-pages' })
    .get('/account', async ({ request, server }) => {
      const p = await pageCaller(d, request, ANY_ROLE, server)
      if (p instanceof Response) return p
      const [sessions, keys] = await Promise.all([
        d.auth.call('sessionsList', { actor: p.caller.actor }, p.rid).then((r) => r.sessions, () => null),
        d.auth.call('apikeysList', { actor: p.caller.actor }, p.rid).then((r) => r.keys, () => null),
      ])
      return htmlResponse(accountPage({ user: p.caller.user, csrf: p.caller.csrf ?? '', sessions, keys }))
    })
    .post('/account/password', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, body, server)
      const f = formInput(PasswordForm, body)
      if (f.confirm !== f.new_password) throw new AppError('VALIDATION', 'the two new passwords differ')
      const r = await d.auth.call('accountChangePassword', { actor: caller.actor, current_password: f.current_password, new_password: f.new_password }, rid)
      return htmlResponse(notice(`password changed${r.revoked_sessions ? `; ${r.revoked_sessions} other session${r.revoked_sessions === 1 ? '' : 's'} ended` : ''}`))
    })
    .delete('/account/sessions/:id', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, undefined, server)
      const { id } = parseInput(z.object({ id: SessionId }), params)
      await d.auth.call('sessionsRevoke', { actor: caller.actor, session_id: id }, rid)
      if (id !== caller.sessionId) return htmlResponse('')
      d.sessions.forget(caller.credential)
      const res = htmlResponse('', 200, { 'hx-redirect': '/login' })
      for (const c of clearSessionCookies()) res.headers.append('set-cookie', c)
      return res
    })
    .post('/account/api-keys', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, body, server)
      const f = formInput(z.object({ name: z.string().trim().min(1, 'give the key a name').max(100), scope: ApiKeyScope }), body)
      if (caller.via === 'api_key') throw new AppError('FORBIDDEN', 'an API key cannot create API keys; sign in to create one')
      const r = await d.auth.call('apikeysCreate', { actor: caller.actor, name: f.name, scope: f.scope }, rid)
      return htmlResponse(newKeyShown(r.key, r.api_key), 201)
    })
    .delete('/account/api-keys/:id', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, undefined, server)
      const { id } = parseInput(IdParams, params)
      await d.auth.call('apikeysRevoke', { actor: caller.actor, key_id: id }, rid)
      return htmlResponse('')
    })
