import type { Role } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { parseInput } from '@kickmon/shared/validation'
import type { z } from 'zod'
import { queryObject } from '../api/define.ts'
import type { GatewayDeps } from '../deps.ts'
import { callerOf, checkChange, requireRole, type Caller } from '../identity/request-auth.ts'
import { clientIpOf, requestIdOf } from '../http/request-id.ts'

// Helpers for server-rendered pages and the htmx fragments their forms post to.

/** The listening server, for the client's address. */
export type PageServer = { requestIP(r: Request): { address: string } | null } | null

export const htmlResponse = (body: string | { toString(): string }, status = 200, headers: Record<string, string> = {}) =>
  new Response(String(body), { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers } })

export const redirect = (location: string) => new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } })

export type PageCtx = { caller: Caller; rid: string }
/** A page's caller, with its URL query (a page's view state lives there). */
export type PageView = PageCtx & { query: Record<string, string> }

/** A page: not logged in → the login page (coming back here after); wrong role → 403 page. */
export async function pageCaller(d: GatewayDeps, req: Request, roles: readonly Role[], server?: PageServer): Promise<PageView | Response> {
  const rid = requestIdOf(req)
  const caller = await callerOf(req, d, clientIpOf(req, server), rid)
  if (!caller) {
    const u = new URL(req.url)
    const next = u.pathname + u.search
    return redirect(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`)
  }
  requireRole(caller, roles)
  return { caller, rid, query: queryObject(new URL(req.url)) }
}

/** A form action (htmx): logged in, allowed, and for state changes CSRF + same origin. */
export async function actionCaller(d: GatewayDeps, req: Request, roles: readonly Role[], body?: unknown, server?: PageServer): Promise<PageCtx> {
  const rid = requestIdOf(req)
  const caller = await callerOf(req, d, clientIpOf(req, server), rid)
  if (!caller) throw new AppError('UNAUTHENTICATED', 'your session has ended; log in again')
  requireRole(caller, roles)
  const form = (body ?? {}) as Record<string, unknown>
  checkChange(req, caller, typeof form.csrf_token === 'string' ? form.csrf_token : undefined)
  return { caller, rid }
}

/** Form fields (strings) through a zod schema, as a 422 naming the field. */
export function formInput<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  return parseInput(schema, body && typeof body === 'object' ? body : {})
}

/** `xqc`, `https://kick.com/xqc`, `kick.com/xqc/videos` → `xqc` (validated later as a slug). */
export function slugFromInput(text: string): string {
  const t = text.trim().replace(/^https?:\/\//i, '').replace(/^(www\.)?kick\.com\//i, '')
  return (t.split(/[/?#]/)[0] ?? '').trim().toLowerCase()
}

/** A pasted list: one slug or link per line, or separated by commas and spaces. */
export function slugsFromList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map(slugFromInput).filter(Boolean))]
}
