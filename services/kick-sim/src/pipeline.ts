import type { Server } from 'bun'
import { Challenge, wafBlock } from './challenge.ts'
import type { Counters } from './counters.ts'
import type { Faults } from './faults.ts'
import { bearer, html, kick, laravel404, simError } from './http.ts'
import type { TokenStore } from './oauth.ts'
import type { RateLimiter } from './ratelimit.ts'
import type { Ctx, Kind, Router } from './router.ts'

// Every request: route → (Kick routes only) faults → Cloudflare/WAF → auth → rate limit →
// handler → counters. Control and asset routes skip faults and counting.

export type PipelineDeps = {
  router: Router
  faults: Faults
  counters: Counters
  tokens: TokenStore
  limiter: RateLimiter
  challenge: Challenge
  publicUrl?: string
  /** Aborted by stop(): hanging requests settle then. */
  stopping: AbortSignal
}

/** Status recorded for requests that got no HTTP answer (reset or hang). */
export const NO_RESPONSE = 0

function guessKind(path: string): Kind {
  if (path.startsWith('/public/')) return 'api'
  if (path.startsWith('/oauth/')) return 'oauth'
  if (path.startsWith('/_sim/')) return 'control'
  return 'website'
}

/** Closes the connection before any byte: the client sees ECONNRESET. (`error(undefined)` keeps Bun quiet.) */
const resets = new WeakSet<Response>()
function reset(): Response {
  const r = new Response(new ReadableStream({ pull: (c) => c.error(undefined) }))
  resets.add(r)
  return r
}

function serverError(status: number): Response {
  if (status === 500) return kick.serverError()
  // 502/503/504 come from Cloudflare in front of Kick: HTML, not the API envelope.
  return html(`<html><head><title>${status} | kick.com | Cloudflare</title></head><body><h1>Error ${status}</h1><p>Cloudflare could not get a valid answer from the origin.</p></body></html>`, status, { server: 'cloudflare' })
}

/** `{"data":null,…}` → `{"data":{},…}`: the error envelope as issue reports saw it. Other bodies pass as they are. */
async function legacyErrorBody(res: Response): Promise<Response> {
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return new Response(text, { status: res.status, headers: res.headers })
  }
  const out = body && typeof body === 'object' && (body as { data?: unknown }).data === null ? { ...body, data: {} } : body
  return new Response(JSON.stringify(out), { status: res.status, headers: res.headers })
}

export function createPipeline(d: PipelineDeps) {
  const { router, faults, counters } = d

  const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms)
      function done(): void {
        clearTimeout(t)
        signal?.removeEventListener('abort', done)
        d.stopping.removeEventListener('abort', done)
        resolve()
      }
      signal?.addEventListener('abort', done)
      d.stopping.addEventListener('abort', done)
    })

  async function kickRoute(ctx: Ctx, kind: Kind, handler: (ctx: Ctx) => Response | Promise<Response>, auth: boolean): Promise<Response> {
    const f = faults.current
    const path = ctx.url.pathname
    const scoped = faults.appliesTo(path)
    if (scoped) {
      if (faults.hit(f.hangRate)) {
        counters.faults.hangs++
        ctx.server?.timeout(ctx.req, 0) // Bun would otherwise cut it after idleTimeout
        await sleep(f.hangMs ?? 120_000, ctx.req.signal)
        return reset()
      }
      if (faults.hit(f.resetRate)) {
        counters.faults.resets++
        return reset()
      }
      const lat = faults.latency()
      if (lat > 5000) ctx.server?.timeout(ctx.req, 0) // keep Bun's idle timeout out of long latencies
      if (lat > 0) await sleep(lat, ctx.req.signal)
      if (faults.hit(f.errorRate)) {
        counters.faults.errors++
        return serverError(faults.errorStatus())
      }
    }
    if (kind === 'oauth' && path === '/oauth/token' && faults.hit(f.tokenEmpty400)) return new Response(null, { status: 400 })
    if (kind === 'website') {
      if (faults.hit(f.challenge) && !d.challenge.cleared(ctx.req)) {
        counters.faults.challenges++
        return d.challenge.page()
      }
      if (path.startsWith('/api/') && faults.hit(f.waf)) {
        counters.faults.waf_blocks++
        return wafBlock()
      }
    }
    if (auth) {
      const raw = bearer(ctx.req)
      const info = raw ? d.tokens.lookup(raw) : null
      if (!info) return kick.unauthorized()
      ctx.auth = info
      if (f.rateLimit && scoped) {
        const wait = d.limiter.take(info.clientId, { rps: f.rateLimit.rps, burst: f.rateLimit.burst ?? Math.max(1, Math.ceil(f.rateLimit.rps)) })
        if (wait !== null) {
          counters.rateLimited++
          return kick.tooManyRequests(f.rateLimit.retryAfter ? Math.max(1, Math.ceil(wait)) : undefined)
        }
      }
    }
    return handler(ctx)
  }

  return async function handle(req: Request, server?: Server<unknown>): Promise<Response> {
    let url: URL
    try {
      url = new URL(req.url)
    } catch {
      return simError(400, 'bad_url', 'request URL must be absolute')
    }
    const path = url.pathname
    const m = router.match(req.method, path)
    if (!m.route) {
      const kind = m.kind ?? guessKind(path)
      const status = m.methodMismatch ? 405 : 404
      const res = kind === 'control' ? simError(status, status === 405 ? 'method_not_allowed' : 'not_found', `${req.method} ${path} is not a control route`)
        : kind === 'api' ? (status === 405 ? kick.methodNotAllowed() : kick.notFound())
        : kind === 'oauth' ? (status === 405 ? new Response('Method Not Allowed', { status }) : new Response('Not Found', { status }))
        : laravel404()
      if (kind !== 'control') counters.request(`${req.method} (unmatched)`, status)
      return res
    }
    const route = m.route
    const ctx: Ctx = { req, url, params: m.params, base: d.publicUrl ?? url.origin, auth: null, server }
    if (route.kind === 'control' || route.kind === 'asset') return route.handler(ctx)
    let res: Response
    try {
      res = await kickRoute(ctx, route.kind, route.handler, route.auth)
    } catch (err) {
      counters.request(`${route.method} ${route.path}`, 500)
      throw err
    }
    counters.request(`${route.method} ${route.path}`, resets.has(res) ? NO_RESPONSE : res.status)
    if (route.kind === 'api' && res.status >= 400 && faults.hit(faults.current.legacyErrorBody)) return legacyErrorBody(res)
    return res
  }
}
