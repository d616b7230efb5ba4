import type { NatsConnection } from '@nats-io/transport-node'
import type { Sql } from '@kickmon/shared/db'
import type { Logger } from '@kickmon/shared/logger'
import type { NotifierConfig } from './config.ts'
import type { Sealer } from './seal.ts'
import type { NotifierMetrics } from './metrics.ts'
import type { ProviderEnv } from './providers/types.ts'

/** What every notifier capability needs; built once by startNotifier. */
export type NotifierDeps = {
  config: NotifierConfig
  sql: Sql
  nc: NatsConnection
  log: Logger
  sealer: Sealer
  metrics: NotifierMetrics
  providerEnv: ProviderEnv
}

export const iso = (d: Date | string) => new Date(d).toISOString()
