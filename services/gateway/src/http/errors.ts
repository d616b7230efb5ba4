import { Elysia } from 'elysia'
import { AppError } from '@kickmon/shared/errors'
import type { Logger } from '@kickmon/shared/logger'
import { requestIdOf } from './request-id.ts'
import { errorFragment, errorPage } from '../views/error-page.ts'

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } })

/** Elysia's own failures, as AppErrors with messages a person can act on. */
function fromElysia(code: string | number, error: unknown, req: Request): AppError | null {
  switch (code) {
    case 'NOT_FOUND':
      return new AppError('NOT_FOUND', 'no such page or route')
    case 'PARSE':
      return new AppError('BAD_REQUEST', /json/i.test(req.headers.get('content-type') ?? '') ? 'the request body is not valid JSON' : 'the request body could not be parsed')
    case 'VALIDATION': {
      const first = (error as { all?: { path?: string; message?: string }[] }).all?.[0]
      const where = first?.path ? `${String(first.path).replace(/^\//, '').replace(/\//g, '.')}: ` : ''
      return new AppError('VALIDATION', `${where}${first?.message ?? 'invalid input'}`)
    }
    case 'INVALID_COOKIE_SIGNATURE':
      return new AppError('UNAUTHENTICATED', 'invalid session cookie')
  }
  if (typeof code === 'number' && code >= 400 && code < 500) return AppError.fromStatus(code, String((error as Error)?.message ?? 'request refused'))
  return null
}

/** How the client wants its error: JSON for the API, a fragment for htmx, a page for a browser. */
function errorResponse(req: Request, e: AppError, requestId: string): Response {
  const url = new URL(req.url)
  const headers: Record<string, string> = { 'x-request-id': requestId }
  const retry = (e.details as { retry_after_s?: number } | undefined)?.retry_after_s
  if (e.status === 429 && retry) headers['retry-after'] = String(retry)
  if (url.pathname.startsWith('/api/') || !(req.headers.get('accept') ?? '').includes('text/html') && !req.headers.get('hx-request'))
    return json(e.status, { error: { code: e.code, message: e.message } }, headers)
  const html: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }
  if (req.headers.get('hx-request')) {
    // A session that ended mid-page: htmx follows HX-Redirect to the login page.
    if (e.status === 401) html['hx-redirect'] = '/login'
    return new Response(errorFragment(e), { status: e.status, headers: html })
  }
  return new Response(errorPage(e), { status: e.status, headers: html })
}

/** Every error becomes `{error: {code, message}}` (or its HTML twin) with its status; never a stack trace. */
export const errorHandler = (log: Logger) =>
  new Elysia({ name: 'errors' }).onError({ as: 'global' }, ({ code, error, request }) => {
    const requestId = requestIdOf(request)
    // A share link's token is a credential: never in the logs.
    const path = new URL(request.url).pathname.replace(/^\/s\/[^/]+/, '/s/[token]')
    let e = error instanceof AppError ? error : fromElysia(code, error, request)
    if (!e) {
      log.error({ err: error, path, reqId: requestId }, 'unhandled error')
      e = new AppError('INTERNAL', 'internal error')
    } else if (e.status >= 500) log.error({ code: e.code, msg: e.message, path, reqId: requestId }, 'request failed')
    else log.info({ code: e.code, status: e.status, path, reqId: requestId }, e.message)
    return errorResponse(request, e, requestId)
  })
