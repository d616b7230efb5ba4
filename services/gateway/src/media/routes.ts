import { Elysia } from 'elysia'
import { AppError } from '@kickmon/shared/errors'
import type { GatewayDeps } from '../deps.ts'
import { callerOf, requireCaller } from '../identity/request-auth.ts'
import { requestIdOf } from '../http/request-id.ts'
import { visibleStatus } from '../streamers/streamer-access.ts'
import { placeholderSvg } from '../views/placeholder.ts'

// Anything served from here is an image from elsewhere: it may never run as a document.
const SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

/** `/media/avatar/<slug>` and `/media/banner/<slug>`: proxied, cached, placeholder on failure. */
export const mediaRoutes = (d: GatewayDeps) =>
  new Elysia({ name: 'media' }).get('/media/:kind/:slug', async ({ request, params }) => {
    const rid = requestIdOf(request)
    if (params.kind !== 'avatar' && params.kind !== 'banner') throw new AppError('NOT_FOUND', 'media is /media/avatar/<slug> or /media/banner/<slug>')
    const caller = requireCaller(await callerOf(request, d, undefined, rid))
    const s = await visibleStatus(d, caller, params.slug, rid)
    const url = params.kind === 'avatar' ? s.profile_picture_url : ((await d.profiles.get(s.slug, rid))?.banner_url ?? null)
    const media = url ? await d.media.get(url) : null
    const headers = { 'content-security-policy': SANDBOX, 'x-content-type-options': 'nosniff' }
    if (!media)
      return new Response(placeholderSvg(params.kind, s.slug), { headers: { ...headers, 'content-type': 'image/svg+xml', 'cache-control': 'private, max-age=300' } })
    return new Response(media.body as Uint8Array<ArrayBuffer>, { headers: { ...headers, 'content-type': media.type, 'cache-control': 'private, max-age=86400' } })
  })
