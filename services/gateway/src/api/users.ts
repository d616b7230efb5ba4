import { z } from 'zod'
import { DisplayName, NewPassword, Role, User, Username } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { Slug } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import type { Caller } from '../identity/request-auth.ts'
import { json } from '../http/errors.ts'
import { ADMIN, ANY_ROLE, route, type ApiRoute } from './define.ts'
import { IdParams } from './schemas.ts'

const Assignments = z.object({ user_id: z.number().int(), slugs: z.array(z.string()) })

/** Admins may act on anyone; everyone else only on their own account. */
export function selfOrAdmin(caller: Caller, id: number) {
  if (caller.user.role !== 'admin' && caller.user.id !== id) throw new AppError('FORBIDDEN', 'you may only do this for your own account')
}

/** Assigning a slug nobody monitors is almost always a typo: refuse it by name. */
export function requireMonitored(d: Pick<GatewayDeps, 'statuses'>, slugs: string[]) {
  const unknown = slugs.filter((s) => !d.statuses.get(s))
  if (unknown.length) throw new AppError('VALIDATION', `not monitored (add them first): ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', …' : ''}`)
}

/** A read about one user (`/users/:id…`): admins read anyone's, everyone else only their own. */
const readOwn = (d: GatewayDeps, o: { path: string; summary: string; ok: ApiRoute['ok']; call: 'usersGet' | 'assignmentsGet' }) =>
  route({
    method: 'GET', path: o.path, tag: 'users', access: ANY_ROLE, params: IdParams, summary: o.summary, errors: [404], ok: o.ok,
    handle: ({ caller, params, rid }) => {
      selfOrAdmin(caller, params.id)
      return d.auth.call(o.call, { actor: caller.actor, user_id: params.id }, rid)
    },
  })

export const userRoutes = (d: GatewayDeps) => [
  route({
    method: 'GET', path: '/api/v1/users', tag: 'users', access: ADMIN,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }),
    summary: 'Users, by id. Page with limit/offset (X-Total-Count, Link headers).',
    ok: { status: 200, schema: z.array(User), description: 'User[]' },
    handle: async ({ caller, query, rid, req }) => {
      const r = await d.auth.call('usersList', { actor: caller.actor, limit: query.limit, offset: query.offset }, rid)
      const headers: Record<string, string> = { 'x-total-count': String(r.total) }
      if (query.offset + query.limit < r.total) {
        const next = new URL(req.url)
        next.searchParams.set('offset', String(query.offset + query.limit))
        headers.link = `<${next.pathname}${next.search}>; rel="next"`
      }
      return json(200, r.users, headers)
    },
  }),
  route({
    method: 'POST', path: '/api/v1/users', tag: 'users', access: ADMIN,
    body: z.object({ username: Username, password: NewPassword, role: Role, display_name: DisplayName.nullable().optional() }),
    summary: 'Create a user.', errors: [409],
    ok: { status: 201, schema: z.object({ id: z.number().int(), username: z.string(), role: Role }), description: '{id, username, role}' },
    handle: async ({ caller, body, rid }) => {
      const u = await d.auth.call('usersCreate', { actor: caller.actor, ...body }, rid)
      return { id: u.id, username: u.username, role: u.role }
    },
  }),
  readOwn(d, {
    path: '/api/v1/users/:id', summary: 'One user (admins: anyone; others: themselves).', call: 'usersGet',
    ok: { status: 200, schema: User, description: 'User' },
  }),
  route({
    method: 'PATCH', path: '/api/v1/users/:id', tag: 'users', access: ANY_ROLE, params: IdParams,
    body: z.object({ role: Role.optional(), display_name: DisplayName.nullable().optional(), disabled: z.boolean().optional() }).strict(),
    summary: 'Change role, display name or disabled (admins); your own display name (everyone). Role changes and disabling end the user’s sessions.',
    errors: [404, 409],
    ok: { status: 200, schema: User, description: 'User' },
    handle: ({ caller, params, body, rid }) => {
      selfOrAdmin(caller, params.id)
      return d.auth.call('usersUpdate', { actor: caller.actor, user_id: params.id, ...body }, rid)
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/users/:id', tag: 'users', access: ADMIN, params: IdParams,
    summary: 'Delete a user (ends their sessions and keys).', errors: [404, 409],
    ok: { status: 204, description: 'deleted' },
    handle: async ({ caller, params, rid }) => {
      await d.auth.call('usersDelete', { actor: caller.actor, user_id: params.id }, rid)
      return null
    },
  }),
  route({
    method: 'POST', path: '/api/v1/users/:id/password', tag: 'users', access: ANY_ROLE, params: IdParams,
    body: z.object({ password: NewPassword, current_password: z.string().min(1).max(1024).optional() }),
    summary: 'Your own account (any role, admins included): change your password; current_password is required and your other sessions end. Admins: reset another user’s without knowing it (all their sessions end).',
    errors: [404],
    ok: { status: 200, schema: z.object({ ok: z.literal(true) }), description: '{ok: true}' },
    handle: async ({ caller, params, body, rid }) => {
      selfOrAdmin(caller, params.id)
      if (caller.user.id === params.id) {
        if (body.current_password === undefined) throw new AppError('VALIDATION', 'current_password: required to change your own password')
        await d.auth.call('accountChangePassword', { actor: caller.actor, current_password: body.current_password, new_password: body.password }, rid)
      } else await d.auth.call('usersSetPassword', { actor: caller.actor, user_id: params.id, password: body.password }, rid)
      return { ok: true }
    },
  }),
  readOwn(d, {
    path: '/api/v1/users/:id/streamers', summary: 'The streamers assigned to a user (admins: anyone; others: themselves).', call: 'assignmentsGet',
    ok: { status: 200, schema: Assignments, description: '{user_id, slugs}' },
  }),
  route({
    method: 'PUT', path: '/api/v1/users/:id/streamers', tag: 'users', access: ADMIN, params: IdParams,
    body: z.object({ slugs: z.array(Slug).max(10_000, 'at most 10,000 slugs per user') }),
    summary: 'Replace the set of streamers assigned to a user (every slug must be monitored).', errors: [404],
    ok: { status: 200, schema: Assignments, description: '{user_id, slugs}' },
    handle: async ({ caller, params, body, rid }) => {
      requireMonitored(d, body.slugs)
      const r = await d.auth.call('assignmentsSet', { actor: caller.actor, user_id: params.id, slugs: body.slugs }, rid)
      d.access.forget(params.id)
      return r
    },
  }),
]
