// Response helpers in Kick's exact shapes (kick-api.md §0, §1.3, §7).

const JSON_TYPE = 'application/json; charset=utf-8'

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE, ...headers } })
}

/** A pre-serialized JSON body (hot paths build envelopes from cached item strings). */
export function rawJson(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': JSON_TYPE, ...headers } })
}

export const kick = {
  ok: (data: unknown): Response => json({ data, message: 'OK' }),
  /** 400 `{"data":"<reason>","message":"Bad request"}` */
  badRequest: (reason: string): Response => json({ data: reason, message: 'Bad request' }, 400),
  // Errors carry `"data": null` as Kick documents them (drops/public-api.md, 2026-06); the
  // `{}` seen in issue reports is the `legacyErrorBody` fault (pipeline.ts).
  /** 401 `{"data":null,"message":"Unauthorized"}` */
  unauthorized: (): Response => json({ data: null, message: 'Unauthorized' }, 401),
  notFound: (): Response => json({ data: null, message: 'Not Found' }, 404),
  methodNotAllowed: (): Response => json({ data: null, message: 'Method Not Allowed' }, 405),
  tooManyRequests: (retryAfterS?: number): Response =>
    json({ data: null, message: 'Too Many Requests' }, 429, retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) }),
  /** 500 `{"data":null,"message":"Internal server error"}` */
  serverError: (status = 500): Response => json({ data: null, message: 'Internal server error' }, status),
}

/** id.kick.com's documented error: 400 `{"error":"Invalid request"}`. */
export const invalidRequest = (): Response => json({ error: 'Invalid request' }, 400)

export function html(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=UTF-8', ...headers } })
}

/** Laravel's plain 404 page (what kick.com shows for an unknown channel). */
export function laravel404(): Response {
  return html(
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not Found</title></head>' +
      '<body><div class="flex-center"><div class="code">404</div><div class="message">Not Found</div></div></body></html>',
    404,
  )
}

/** Control API errors: precise and machine-readable. */
export function simError(status: number, code: string, message: string, issues?: unknown): Response {
  return json({ error: issues === undefined ? { code, message } : { code, message, issues } }, status)
}

export { escapeHtml } from '@kickmon/shared/escape-html'

/** Reads a repeated integer query param; `null` if any value is not a positive int. */
export function intParams(values: string[]): number[] | null {
  const out: number[] = []
  for (const v of values) {
    if (!/^\d{1,15}$/.test(v)) return null
    out.push(Number(v))
  }
  return out
}

export function bearer(req: Request): string | null {
  const h = req.headers.get('authorization')
  if (!h) return null
  const m = /^Bearer\s+(\S+)$/i.exec(h)
  return m ? (m[1] ?? null) : null
}

export function isForm(req: Request): boolean {
  const ct = req.headers.get('content-type') ?? ''
  return ct.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded'
}
