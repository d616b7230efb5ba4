import { Elysia } from 'elysia'
import { AppError } from '@kickmon/shared/errors'
import type { Logger } from '@kickmon/shared/logger'

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } })

/** Every error becomes `{error: {code, message}}` with its status; never a stack trace. */
export const errorHandler = (log: Logger) =>
  new Elysia({ name: 'errors' }).onError({ as: 'global' }, ({ code, error, request }) => {
    if (error instanceof AppError) {
      if (error.status >= 500) log.error({ err: error, path: new URL(request.url).pathname }, error.message)
      return json(error.status, error.toJSON())
    }
    switch (code) {
      case 'NOT_FOUND':
        return json(404, { error: { code: 'NOT_FOUND', message: 'no such page or route' } })
      case 'PARSE':
        return json(400, { error: { code: 'BAD_REQUEST', message: 'the request body could not be parsed' } })
      case 'VALIDATION': {
        const first = (error as { all?: { path?: string; message?: string }[] }).all?.[0]
        const where = first?.path ? `${String(first.path).replace(/^\//, '').replace(/\//g, '.')}: ` : ''
        return json(422, { error: { code: 'VALIDATION', message: `${where}${first?.message ?? 'invalid input'}` } })
      }
      case 'INVALID_COOKIE_SIGNATURE':
        return json(401, { error: { code: 'UNAUTHENTICATED', message: 'invalid session cookie' } })
    }
    log.error({ err: error, path: new URL(request.url).pathname }, 'unhandled error')
    return json(500, { error: { code: 'INTERNAL', message: 'internal error' } })
  })

export { json }
