import { Elysia } from 'elysia'
import { isAppError } from '@kickmon/shared/errors'
import { PageSlug, targetSlugs, type ShareLink } from '@kickmon/shared/contracts/public'
import { Slug } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import { Badges } from './badges.ts'
import { clientIpOf } from '../http/request-id.ts'
import { upgrade } from '../http/sockets.ts'
import { expiredPage, pageNotFound, pastStreams, publicPage } from '../views/public-page.ts'

// The routes anyone may call without an account: status pages (/p/…), badges (/badge/…) and
// share links (/s/…). They set no cookie and read none, have their own per-address rate limit,
// and serve what was rendered once per change. A share link's token is never logged: these
// handlers answer every failure themselves instead of throwing into the error logger.

type Server = { requestIP(r: Request): { address: string } | null } | null
type Set = { headers: Record<string, string | number | undefined> }

const TEXT = 'text/html; charset=utf-8'
/** Browsers and caches may keep a page or badge this long; an ETag makes the next look cheap. */
const PUBLIC_CACHE = 'public, max-age=5'
const gzipped = new WeakMap<object, Map<string, Uint8Array<ArrayBuffer>>>()

/** Serve a cached body: 304 for a matching ETag, gzip made once per rendering when accepted. */
function cached(req: Request, owner: object, part: string, body: string, type: string, etag: string, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { 'content-type': type, 'cache-control': PUBLIC_CACHE, etag, vary: 'accept-encoding', ...headers }
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: h })
  if (body.length > 1024 && /\bgzip\b/.test(req.headers.get('accept-encoding') ?? '')) {
    let parts = gzipped.get(owner)
    if (!parts) gzipped.set(owner, (parts = new Map()))
    let gz = parts.get(part)
    if (!gz) parts.set(part, (gz = Bun.gzipSync(body, { level: 6 })))
    return new Response(gz, { headers: { ...h, 'content-encoding': 'gzip' } })
  }
  return new Response(body, { headers: h })
}

const tooMany = (wait: number) =>
  new Response(JSON.stringify({ error: { code: 'RATE_LIMITED', message: `too many requests from your address; try again in ${wait} s` } }), {
    status: 429, headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(wait), 'cache-control': 'no-store' },
  })
const htmlPage = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': TEXT, 'cache-control': 'no-store' } })
const expired = () => htmlPage(410, expiredPage())
const unavailable = () => htmlPage(503, '<!doctype html><title>try again</title><p>This page cannot be shown right now. Try again in a moment.</p>')

/** `frame-ancestors` of an embed: the page's own list, or nobody. */
function allowFraming(set: Set, origins: string[]) {
  const csp = String(set.headers['content-security-policy'] ?? '')
  set.headers['content-security-policy'] = csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${origins.length ? origins.join(' ') : "'none'"}`)
  if (origins.length) delete set.headers['x-frame-options']
}

export const publicRoutes = (d: GatewayDeps) => {
  const { pub } = d
  const ipOf = new WeakMap<Request, string | undefined>()
  /** Counts the request against its address; a Response when over the limit. */
  const limited = (req: Request, server: Server): Response | null => {
    const ip = clientIpOf(req, server)
    ipOf.set(req, ip)
    const wait = pub.limit.take(ip)
    return wait ? tooMany(wait) : null
  }

  /** A share link's token → its link, when genuine and still good per auth ('expired' / 'unavailable' otherwise). */
  const shareOf = async (token: string): Promise<ShareLink | 'expired' | 'unavailable'> => {
    const claims = await pub.tokens.verify(token)
    if (!claims) return 'expired'
    try {
      const link = await pub.auth.call('publicShare', { id: claims.id })
      // The row is the truth; a token must also agree with it.
      if (link.user_id !== claims.userId || JSON.stringify(link.target) !== JSON.stringify(claims.target)) return 'expired'
      return link
    } catch (e) {
      return isAppError(e, 'NOT_FOUND') ? 'expired' : 'unavailable'
    }
  }

  return new Elysia({ name: 'public-routes' })
    // /p/<slug> and /p/<slug>.json (page slugs have no dot)
    .get('/p/:slug', async ({ request, params, server }) => {
      const stop = limited(request, server as Server)
      if (stop) return stop
      const json = params.slug.endsWith('.json')
      const slug = json ? params.slug.slice(0, -5) : params.slug
      const r = PageSlug.safeParse(slug).success ? await pub.pages.renderFresh(slug).catch(() => 'down' as const) : null
      if (r === 'down') return unavailable()
      if (!r) {
        if (json) return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such status page' } }), { status: 404, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': PUBLIC_CACHE } })
        return new Response(pageNotFound(), { status: 404, headers: { 'content-type': TEXT, 'cache-control': PUBLIC_CACHE } })
      }
      if (json) return cached(request, r, 'json', r.json, 'application/json; charset=utf-8', r.etag, { 'access-control-allow-origin': '*' })
      return cached(request, r, 'html', r.html, TEXT, r.etag)
    })
    .get('/p/:slug/embed', async ({ request, params, server, set }) => {
      const stop = limited(request, server as Server)
      if (stop) return stop
      const r = PageSlug.safeParse(params.slug).success ? await pub.pages.renderFresh(params.slug).catch(() => 'down' as const) : null
      if (r === 'down') return unavailable()
      if (!r) return new Response(pageNotFound(), { status: 404, headers: { 'content-type': TEXT, 'cache-control': PUBLIC_CACHE } })
      allowFraming(set as Set, r.page.embed_origins)
      return cached(request, r, 'embed', r.embed, TEXT, r.etag)
    })
    // The live feeds: checked here, served by http/sockets.ts (PublicFeeds).
    .route('WS', '/p/:slug/live', (ctx) => {
      const { request, params, server } = ctx
      const stop = limited(request, server as Server)
      if (stop) return stop
      if (!PageSlug.safeParse(params.slug).success || !pub.pages.get(params.slug)) return new Response('no such status page', { status: 404 })
      return upgrade(ctx, { kind: 'page', slug: params.slug, ip: ipOf.get(request) })
    })

    .get('/badge/:file', ({ request, params, server }) => {
      const stop = limited(request, server as Server)
      if (stop) return stop
      const m = params.file.match(/^(.+)\.svg$/)
      const slug = m && Slug.safeParse(m[1]).success ? m[1]!.toLowerCase() : null
      const { style, label } = Badges.options(new URL(request.url).searchParams)
      const b = pub.badges.get(slug ?? (m?.[1] ?? params.file).slice(0, 64), style, label)
      return cached(request, b, 'svg', b.svg, 'image/svg+xml; charset=utf-8', b.etag)
    })

    .get('/s/:token', async ({ request, params, server }) => {
      const stop = limited(request, server as Server)
      if (stop) return stop
      const link = await shareOf(params.token)
      if (link === 'expired') return expired()
      if (link === 'unavailable') return unavailable()
      const list = targetSlugs(link.target).map((s) => d.statuses.get(s)).filter((s) => !!s)
      const title = link.target.type === 'view' ? (link.target.title ?? 'shared streamers') : (list[0]?.username || link.target.slug)
      // One streamer: its page, so its past streams too (the poller away: just the row).
      const past = link.target.type === 'streamer' ? await d.poller.call('sessions', { slug: link.target.slug, limit: 10 }).catch(() => []) : []
      const body = publicPage({
        title, description: null, rows: await pub.feeds.shareRows(list), statuses: list, viewers: true, history: true,
        feed: `/s/${params.token}/live`, generatedAt: new Date().toISOString(), extra: pastStreams(past),
      })
      // Per link and per view (checked each time): never kept by a shared cache; no referrer leaves with the token.
      return new Response(body, { headers: { 'content-type': TEXT, 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' } })
    })
    .route('WS', '/s/:token/live', async (ctx) => {
      const { request, params, server } = ctx
      const stop = limited(request, server as Server)
      if (stop) return stop
      const link = await shareOf(params.token)
      if (link === 'expired') return new Response('this link has expired', { status: 410 })
      if (link === 'unavailable') return new Response('try again', { status: 503 })
      return upgrade(ctx, { kind: 'share', link, ip: ipOf.get(request) })
    })
}
