import { Elysia } from 'elysia'
import { AppError } from '@kickmon/shared/errors'
import { Slug } from '@kickmon/shared/validation'
import type { GatewayDeps } from '../deps.ts'
import { upgrade } from '../http/sockets.ts'
import { callerOf, checkStrictOrigin } from '../identity/request-auth.ts'

/**
 * `/ws`: the dashboard's live rows as htmx fragments. The session is checked on the upgrade
 * (and the Origin, `null` included, since browsers send cookies on cross-site WebSocket upgrades too);
 * `?slug=` follows one streamer (the streamer page); `?since=` is the page's feed cursor.
 * The socket itself is served by http/sockets.ts (LiveFeed), with the caller checked here.
 */
export const liveSocket = (d: GatewayDeps) =>
  new Elysia({ name: 'live-socket' }).route('WS', '/ws', async (ctx) => {
    const { request } = ctx
    checkStrictOrigin(request)
    const caller = await callerOf(request, d)
    if (!caller) throw new AppError('UNAUTHENTICATED', 'log in first')
    const q = new URL(request.url).searchParams
    const only = q.get('slug')
    if (only !== null && !Slug.safeParse(only).success) throw new AppError('VALIDATION', 'slug: not a Kick slug')
    return upgrade(ctx, { kind: 'dashboard', caller, only, since: q.get('since') })
  })
