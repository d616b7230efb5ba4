import type { NatsConnection } from '@nats-io/transport-node'
import type { Config } from '@kickmon/shared/config'
import type { Health } from '@kickmon/shared/health'
import type { Logger } from '@kickmon/shared/logger'
import type { AccessCache } from './access.ts'
import type { AuthClient } from './auth-client.ts'
import type { SessionCache } from './session-cache.ts'
import type { StatusStore } from './status-store.ts'

export type GatewayDeps = {
  config: Config
  log: Logger
  nc: NatsConnection
  health: Health
  auth: AuthClient
  sessions: SessionCache
  access: AccessCache
  statuses: StatusStore
}
