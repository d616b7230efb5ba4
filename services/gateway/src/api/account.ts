import { z } from 'zod'
import { ApiKey, ApiKeyScope, AuthApi, SessionId } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import type { GatewayDeps } from '../deps.ts'
import { ANY_ROLE, route } from './define.ts'
import { IdParams } from './schemas.ts'

const SessionInfo = AuthApi.sessionsList.output.shape.sessions.element

export const accountRoutes = (d: GatewayDeps) => [
  route({
    method: 'GET', path: '/api/v1/me', tag: 'account', access: ANY_ROLE,
    summary: 'Who you are: your user, how you signed in (session or API key) and with what scope.',
    ok: { status: 200, schema: AuthApi.accountGet.output, description: 'account' },
    handle: ({ caller, rid }) => d.auth.call('accountGet', { actor: caller.actor }, rid),
  }),
  route({
    method: 'GET', path: '/api/v1/sessions', tag: 'account', access: ANY_ROLE,
    summary: 'Your active sessions (`current` marks the one you are using).',
    ok: { status: 200, schema: z.array(SessionInfo), description: 'SessionInfo[]' },
    handle: async ({ caller, rid }) => (await d.auth.call('sessionsList', { actor: caller.actor }, rid)).sessions,
  }),
  route({
    method: 'DELETE', path: '/api/v1/sessions/:id', tag: 'account', access: ANY_ROLE, params: z.object({ id: SessionId }),
    summary: 'End one of your sessions (admins: anyone’s). Its browser is logged out at once.', errors: [404],
    ok: { status: 204, description: 'ended' },
    handle: async ({ caller, params, rid }) => {
      await d.auth.call('sessionsRevoke', { actor: caller.actor, session_id: params.id }, rid)
      return null
    },
  }),
  route({
    method: 'GET', path: '/api/v1/api-keys', tag: 'account', access: ANY_ROLE,
    query: z.object({ include_revoked: z.stringbool().default(false) }),
    summary: 'Your API keys (never the secret: only its prefix).',
    ok: { status: 200, schema: z.array(ApiKey), description: 'ApiKey[]' },
    handle: async ({ caller, query, rid }) => (await d.auth.call('apikeysList', { actor: caller.actor, include_revoked: query.include_revoked }, rid)).keys,
  }),
  route({
    method: 'POST', path: '/api/v1/api-keys', tag: 'account', access: ANY_ROLE,
    body: z.object({ name: z.string().trim().min(1, 'name must not be empty').max(100), scope: ApiKeyScope }),
    summary: 'Create an API key for yourself; `key` is shown this once. Needs a session (an API key cannot make keys).', errors: [409],
    ok: { status: 201, schema: AuthApi.apikeysCreate.output, description: '{key, api_key}' },
    handle: ({ caller, body, rid }) => {
      if (caller.via === 'api_key') throw new AppError('FORBIDDEN', 'an API key cannot create API keys; sign in to create one')
      return d.auth.call('apikeysCreate', { actor: caller.actor, name: body.name, scope: body.scope }, rid)
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/api-keys/:id', tag: 'account', access: ANY_ROLE, params: IdParams,
    summary: 'Revoke one of your API keys (admins: anyone’s).', errors: [404],
    ok: { status: 204, description: 'revoked' },
    handle: async ({ caller, params, rid }) => {
      await d.auth.call('apikeysRevoke', { actor: caller.actor, key_id: params.id }, rid)
      return null
    },
  }),
]
