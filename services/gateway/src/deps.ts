import type { NatsConnection } from '@nats-io/transport-node'
import type { GatewayConfig } from './config.ts'
import type { Health } from '@kickmon/shared/health'
import type { Logger } from '@kickmon/shared/logger'
import type { AccessCache } from './access.ts'
import type { ApiKeyCache } from './api-key-cache.ts'
import type { AuthClient } from './auth-client.ts'
import type { CredentialWatch } from './credential-watch.ts'
import type { EventStream } from './event-stream.ts'
import type { FeedLog } from './feed-log.ts'
import type { HealthReporter } from './health-report.ts'
import type { MediaCache } from './media-cache.ts'
import type { PollerClient } from './poller-client.ts'
import type { ProfileCache } from './profile-cache.ts'
import type { PublicSite } from './public/index.ts'
import type { SessionCache } from './session-cache.ts'
import type { StatusStore } from './status-store.ts'
import type { ViewerTrend } from './viewer-trend.ts'

export type GatewayDeps = {
  config: GatewayConfig
  log: Logger
  nc: NatsConnection
  health: Health
  auth: AuthClient
  poller: PollerClient
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
