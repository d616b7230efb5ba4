import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from './logger.ts'
import { natsAuthOptions, redactNatsUrl, type NatsCredentials } from './nats-credentials.ts'
import { identityOptions, watchPermissionErrors, type NatsIdentity } from './nats-identity.ts'

export type { NatsConnection }

/**
 * A daemon's connection: waits for the server at boot and reconnects forever
 * (the client's defaults give up after ~20 s), logging every state change.
 * `identity` names the NATS user it connects as (deploy/nats/permissions.ts), which fixes its
 * reply-inbox prefix; `creds` are the NATS_CREDS / NATS_NKEY_SEED_FILE / NATS_TLS_* settings.
 */
export async function connectNats(url: string, identity: NatsIdentity, log: Logger, creds: NatsCredentials = {}): Promise<NatsConnection> {
  const servers = url.split(',').map((s) => s.trim().replace(/^nats:\/\//, ''))
  log.info({ servers: servers.map(redactNatsUrl), identity, auth: creds.NATS_CREDS ? 'creds' : creds.NATS_NKEY_SEED_FILE ? 'nkey' : 'none' }, 'connecting to NATS')
  const options = {
    servers,
    name: identity,
    ...identityOptions(identity),
    ...natsAuthOptions(creds),
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 500,
    pingInterval: 5_000,
    maxPingOut: 3,
    // No Error (and stack capture) per request and publish to enrich a failure's trace: a
    // measured third of a JetStream publish's client CPU, paid on every webhook and status.
    noAsyncTraces: true,
  }
  // Refused credentials are retried like an absent server (the key file is read again each
  // time, so putting the right key in place is enough), with a warning now and then.
  let nc: NatsConnection
  for (let attempt = 1; ; attempt++) {
    try {
      nc = await connect(options)
      break
    } catch (e) {
      if ((e as Error).name !== 'AuthorizationError') throw e
      const using = creds.NATS_CREDS ? `NATS_CREDS ${creds.NATS_CREDS}` : creds.NATS_NKEY_SEED_FILE ? `NATS_NKEY_SEED_FILE ${creds.NATS_NKEY_SEED_FILE}` : 'no credentials (set NATS_CREDS or NATS_NKEY_SEED_FILE)'
      if (attempt === 1 || attempt % 30 === 0) log.warn({ identity, attempt, err: (e as Error).message }, `NATS refused the connection of identity ${identity} with ${using}; retrying`)
      await new Promise((r) => setTimeout(r, 2_000))
    }
  }
  log.info({ server: nc.getServer() }, 'connected to NATS')
  ;(async () => {
    for await (const s of nc.status()) {
      if (s.type === 'ping') continue
      // Permission errors get their own single line (nats-identity.ts); the rest is state.
      if (s.type === 'error' && watchPermissionErrors.isPermissionError(s.error)) continue
      const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'info'
      log[level]({ nats: s.type, data: 'server' in s ? s.server : undefined }, `nats ${s.type}`)
    }
  })().catch(() => {})
  watchPermissionErrors(nc, identity, log)
  return nc
}
