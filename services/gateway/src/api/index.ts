import type { GatewayDeps } from '../deps.ts'
import { accountRoutes } from './account.ts'
import { auditRoutes } from './audit.ts'
import { authApiRoutes } from './auth.ts'
import { json } from '../http/errors.ts'
import { route, type ApiRoute } from './define.ts'
import { healthRoutes } from './health.ts'
import { notificationRoutes } from './notifications.ts'
import { openApiDocument } from './openapi.ts'
import { shareLinkRoutes } from './share-links.ts'
import { statusPageRoutes } from './status-pages.ts'
import { streamRoutes } from './stream.ts'
import { streamerRoutes } from './streamers.ts'
import { userRoutes } from './users.ts'

/** Every /api/v1 route, in one list (registration, OpenAPI and the tests all read it). */
export function apiRoutes(d: GatewayDeps): ApiRoute[] {
  const routes: ApiRoute[] = [
    ...authApiRoutes(d), ...streamerRoutes(d), ...streamRoutes(d), ...userRoutes(d), ...accountRoutes(d), ...auditRoutes(d), ...healthRoutes(d),
    ...statusPageRoutes(d), ...shareLinkRoutes(d), ...notificationRoutes(d),
  ]
  let doc: string | null = null
  routes.push(
    route({
      method: 'GET', path: '/api/v1/openapi.json', tag: 'meta', access: 'public',
      summary: 'This document.',
      ok: { status: 200, description: 'OpenAPI 3.1' },
      handle: () => json(200, JSON.parse((doc ??= JSON.stringify(openApiDocument(routes)))), { 'cache-control': 'public, max-age=300' }),
    }),
  )
  return routes
}
