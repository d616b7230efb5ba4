import type { NatsConnection } from '@nats-io/transport-node'
import type { GatewayConfig } from './config.ts'
import type { Health } from '@kickmon/shared/health'
import type { Logger } from '@kickmon/shared/logger'
import type { AccessCache } from './identity/access.ts'
import type { ApiKeyCache } from './identity/api-key-cache.ts'
import type { AuthClient } from './clients/auth-client.ts'
import type { CredentialWatch } from './identity/credential-watch.ts'
import type { EventStream } from './live/event-stream.ts'
import type { FeedLog } from './live/feed-log.ts'
import type { HealthReporter } from './health-report.ts'
import type { MediaCache } from './media/media-cache.ts'
import type { NotifierClient } from './clients/notifier-client.ts'
import type { PollerClient } from './clients/poller-client.ts'
import type { ProfileCache } from './media/profile-cache.ts'
import type { PublicSite } from './public/index.ts'
import type { SessionCache } from './identity/session-cache.ts'
import type { StatusStore } from './live/status-store.ts'
import type { ViewerTrend } from './live/viewer-trend.ts'

export type GatewayDeps = {
  config: GatewayConfig
  log: Logger
  nc: NatsConnection
  health: Health
  auth: AuthClient
  poller: PollerClient
  notifier: NotifierClient
  sessions: SessionCache
  keys: ApiKeyCache
  /** Ends open sockets and streams whose session or key is no longer valid. */
  watch: CredentialWatch
  access: AccessCache
  statuses: StatusStore
  trend: ViewerTrend
  feedLog: FeedLog
  events: EventStream
  profiles: ProfileCache
  media: MediaCache
  healthReport: HealthReporter
  /** Status pages, badges and share links: what people without an account see. */
  pub: PublicSite
}
