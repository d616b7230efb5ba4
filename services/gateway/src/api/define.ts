import { Elysia } from 'elysia'
import type { z } from 'zod'
import type { Role } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { parseInput } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import { callerOf, checkChange, requireCaller, requireRole, type Caller } from '../identity/request-auth.ts'
import { clientIpOf, requestIdOf } from '../http/request-id.ts'
import { json } from '../http/errors.ts'

// One definition per JSON route: method, path, who may call it, zod schemas for every
// input and the answer. The same list registers the Elysia handlers, generates
// /api/v1/openapi.json and drives the role × route table in the tests, so a route cannot
// exist without saying who may use it (deny by default).

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type Access = 'public' | readonly Role[]
export const ANY_ROLE = ['admin', 'user', 'viewer'] as const
export const WRITERS = ['admin', 'user'] as const
export const ADMIN = ['admin'] as const

type Server = { requestIP(r: Request): { address: string } | null; timeout?(r: Request, s: number): void } | null

export type ApiInput<A extends Access, P, Q, B> = {
  caller: A extends 'public' ? null : Caller
  params: P
  query: Q
  body: B
  req: Request
  rid: string
  ip: string | undefined
  server: Server
}

export type ApiRoute = {
  method: Method
  path: string
  summary: string
  tag: string
  access: Access
  params?: z.ZodType
  query?: z.ZodType
  body?: z.ZodType
  ok: { status: number; schema?: z.ZodType; description: string; contentType?: string; headers?: Record<string, string> }
  /** Error statuses worth documenting beyond the usual 401/403/422. */
  errors?: number[]
  handle: (i: ApiInput<Access, any, any, any>) => Promise<unknown> | unknown
}

export function route<A extends Access, P extends z.ZodType = z.ZodType<Record<string, never>>, Q extends z.ZodType = z.ZodType<Record<string, never>>, B extends z.ZodType = z.ZodType<undefined>>(def: {
  method: Method
  path: string
  summary: string
  tag: string
  access: A
  params?: P
  query?: Q
  body?: B
  ok: ApiRoute['ok']
  errors?: number[]
  handle: (i: ApiInput<A, z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown> | unknown
}): ApiRoute {
  return def as unknown as ApiRoute
}

export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of url.searchParams) out[k] = v
  return out
}

async function run(d: GatewayDeps, r: ApiRoute, ctx: { request: Request; params: unknown; body: unknown; server: Server }) {
  const req = ctx.request
  const rid = requestIdOf(req)
  const ip = clientIpOf(req, ctx.server)
  let caller: Caller | null = null
  if (r.access !== 'public') {
    caller = requireCaller(await callerOf(req, d, ip, rid))
    requireRole(caller, r.access)
    checkChange(req, caller)
  }
  const params = r.params ? parseInput(r.params, ctx.params) : {}
  const query = r.query ? parseInput(r.query, queryObject(new URL(req.url))) : {}
  let body: unknown
  if (r.body) {
    if (ctx.body === undefined || ctx.body === null || typeof ctx.body !== 'object') throw new AppError('BAD_REQUEST', 'send a JSON object body (Content-Type: application/json)')
    body = parseInput(r.body, ctx.body)
  }
  const out = await r.handle({ caller, params, query, body, req, rid, ip, server: ctx.server })
  if (out instanceof Response) return out
  if (r.ok.status === 204) return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } })
  return json(r.ok.status, out)
}

/** Registers every route on one Elysia plugin. */
export function mountApi(d: GatewayDeps, routes: ApiRoute[]) {
  const app = new Elysia({ name: 'api-v1' })
  for (const r of routes) app.route(r.method, r.path, (ctx) => run(d, r, ctx as never))
  return app
}
