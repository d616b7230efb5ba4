import type { NatsConnection } from '@nats-io/transport-node'
import type { GatewayConfig } from '../config.ts'
import type { Logger } from '@kickmon/shared/logger'
import type { PollerClient } from '../clients/poller-client.ts'
import type { SessionCache } from '../identity/session-cache.ts'
import type { StatusStore } from '../live/status-store.ts'
import { PublicAuthClient } from './auth-client.ts'
import { Badges } from './badges.ts'
import { PublicFeeds } from './feeds.ts'
import { PublicPages } from './pages.ts'
import { PublicRateLimit } from './rate-limit.ts'
import { ShareTokens } from './share-tokens.ts'

/** Everything the gateway serves to people without an account (docs/public-pages.md). */
export type PublicSite = {
  auth: PublicAuthClient
  pages: PublicPages
  feeds: PublicFeeds
  badges: Badges
  limit: PublicRateLimit
  tokens: ShareTokens
  stop: () => void
}

export async function buildPublicSite(d: {
  nc: NatsConnection; config: GatewayConfig; log: Logger; statuses: StatusStore; poller: PollerClient; sessions: SessionCache
}): Promise<PublicSite> {
  const kickUrl = d.config.KICK_WEB_URL.replace(/\/$/, '')
  if (d.config.SHARE_LINK_SECRET.startsWith('dev-only')) d.log.warn('SHARE_LINK_SECRET is the demo default: fine on loopback, never anywhere else (anyone could sign share links)')
  const auth = new PublicAuthClient(d.nc)
  const limit = new PublicRateLimit({ burst: d.config.PUBLIC_RATE_BURST, perSecond: d.config.PUBLIC_RATE_PER_S, sockets: d.config.PUBLIC_FEEDS_PER_ADDRESS })
  const pages = new PublicPages(d.nc, auth, d.statuses, d.poller, d.log, kickUrl)
  const feeds = new PublicFeeds(pages, d.statuses, auth, limit, d.log, kickUrl)
  feeds.listen(d.nc, d.sessions)
  // Without auth the pages are unknown for now; the periodic reload picks them up.
  await pages.start()
  return {
    auth, pages, feeds, limit,
    badges: new Badges(d.statuses, pages),
    tokens: new ShareTokens(d.config.SHARE_LINK_SECRET),
    stop: () => {
      pages.stop()
      feeds.closeAll()
    },
  }
}
