import type { NatsConnection } from '@nats-io/transport-node'
import type { TransactionSql } from 'postgres'
import type { Sql } from '@kickmon/shared/db'
import type { Logger } from '@kickmon/shared/logger'
import type { AuthConfig } from './config.ts'
import type { Passwords } from './passwords.ts'

/** What every auth capability needs; built once by startAuth. */
export type AuthDeps = {
  config: AuthConfig
  sql: Sql
  nc: NatsConnection
  log: Logger
  passwords: Passwords
}

/** A connection pool or a transaction: what query helpers accept. */
export type Db = Sql | TransactionSql

/** postgres.js gives timestamps as Date; the wire carries ISO strings. */
export const iso = (d: Date | string) => new Date(d).toISOString()
export const isoOrNull = (d: Date | string | null | undefined) => (d ? iso(d) : null)

export const sha256hex = (s: string) => new Bun.CryptoHasher('sha256').update(s).digest('hex')

/** PostgreSQL unique violation. */
export const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505'
