import type { NatsConnection } from '@nats-io/transport-node'
import { AuthInternalApi } from '@kickmon/shared/contracts/auth-internal'
import type { PollerConfig } from '../config.ts'
import { isAppError } from '@kickmon/shared/errors'
import type { Logger } from '@kickmon/shared/logger'
import { request } from '@kickmon/shared/rpc'

/** The configuration-store key `kickmon config set KICK_CLIENT_SECRET --secret` writes. */
export const SECRET_KEY = 'KICK_CLIENT_SECRET'

export type SecretSource = 'env' | 'config store' | 'demo'

/**
 * Where the Kick app secret comes from: the poller's env if set (fixed); otherwise auth's
 * configuration store, read each time a token is fetched (hourly, or after a 401) so a
 * rotated secret needs no restart; otherwise kick-sim's demo secret. The value is never logged.
 */
export function kickClientSecret(config: PollerConfig, nc: NatsConnection, log: Logger, timeoutMs = 3000): string | (() => Promise<string>) {
  if (config.KICK_CLIENT_SECRET) return config.KICK_CLIENT_SECRET
  let lastRead: string | null = null
  let lastSource: SecretSource | null = null
  const using = (source: SecretSource, why?: string) => {
    if (source !== lastSource) log.info({ source, key: SECRET_KEY, ...(why ? { why } : {}) }, 'Kick client secret source')
    lastSource = source
  }
  return async () => {
    try {
      // auth.internal.kick-client-secret.get: this one value, the only secret the poller may read.
      const e = await request(nc, AuthInternalApi.kickClientSecret.subject, {}, AuthInternalApi.kickClientSecret.output, { timeout: timeoutMs })
      lastRead = e.value
      using('config store')
      return e.value
    } catch (err) {
      if (isAppError(err, 'NOT_FOUND')) {
        lastRead = null
        using('demo', 'not in the env nor the configuration store')
        return config.KICK_SIM_CLIENT_SECRET
      }
      // auth down or the value unreadable: keep what we last read rather than switch secrets.
      const why = err instanceof Error ? err.message : String(err)
      if (lastRead !== null) {
        log.warn({ key: SECRET_KEY, why }, 'reading the Kick client secret from the configuration store failed; using the last value read')
        return lastRead
      }
      using('demo', why)
      return config.KICK_SIM_CLIENT_SECRET
    }
  }
}
