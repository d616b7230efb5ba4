import { Elysia } from 'elysia'
import type { GatewayDeps } from '../deps.ts'
import { accountPages } from './account.ts'
import { adminPagesRoutes } from './admin-pages.ts'
import { adminStreamerPages } from './admin-streamers.ts'
import { adminUserPages } from './admin-users.ts'
import { assets } from './assets.ts'
import { authRoutes } from './auth.ts'
import { dashboardRoutes } from './dashboard.ts'
import { notificationPages } from './notifications.ts'
import { sharePages } from './share-page.ts'
import { streamerPages } from './streamer-page.ts'
import { systemPages } from './system.ts'

/** Every server-rendered page with the htmx fragments its forms post to, and their assets. */
export const htmlPages = (d: GatewayDeps) =>
  new Elysia({ name: 'pages' })
    .use(assets)
    .use(authRoutes(d))
    .use(dashboardRoutes(d))
    .use(streamerPages(d))
    .use(adminUserPages(d))
    .use(adminStreamerPages(d))
    .use(adminPagesRoutes(d))
    .use(accountPages(d))
    .use(notificationPages(d))
    .use(sharePages(d))
    .use(systemPages(d))
