import { connect, type NatsConnection } from '@nats-io/transport-node'
import { AppError } from '@kickmon/shared/errors'
import { natsAuthOptions, type NatsCredentials } from '@kickmon/shared/nats-credentials'
import { identityOptions } from '@kickmon/shared/nats-identity'

/** `nats://a:4222,nats://b:4222` → the servers the client wants. */
export const natsServers = (url: string) => url.split(',').map((s) => s.trim().replace(/^nats:\/\//, '')).filter(Boolean)

/**
 * A one-shot command's connection: fails within a couple of seconds with one clear line
 * (no waiting for the server to appear, no reconnect loop). `watch` asks for `reconnect`.
 */
export async function connectCli(url: string, opts: { reconnect?: boolean; timeoutMs?: number; creds?: NatsCredentials } = {}): Promise<NatsConnection> {
  try {
    // As the `operator` identity (deploy/nats/permissions.ts), with the credentials NATS_CREDS or NATS_NKEY_SEED_FILE name.
    return await connect({
      servers: natsServers(url),
      name: 'kickmon-cli',
      ...identityOptions('operator'),
      ...natsAuthOptions(opts.creds ?? {}),
      timeout: opts.timeoutMs ?? 2000,
      waitOnFirstConnect: false,
      reconnect: !!opts.reconnect,
      maxReconnectAttempts: opts.reconnect ? -1 : 0,
      reconnectTimeWait: 1000,
      pingInterval: opts.reconnect ? 5000 : 120_000,
      maxPingOut: 3,
    })
  } catch (e) {
    if (/authorization/i.test(`${(e as Error)?.name} ${(e as Error)?.message}`))
      throw new AppError('UNAUTHENTICATED', `NATS at ${redact(url)} refused this connection: set NATS_NKEY_SEED_FILE (or NATS_CREDS) to the operator identity's key (docs/nats.md)`)
    throw new AppError('UNAVAILABLE', `cannot reach NATS at ${redact(url)} (${reason(e)}); is nats-server running? (NATS_URL sets where to look)`)
  }
}

function reason(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = err.cause?.code ?? err.code ?? ''
  if (code === 'ECONNREFUSED' || /ECONNREFUSED|refused/i.test(err.message ?? '')) return 'connection refused'
  if (/timeout/i.test(err.message ?? '') || code === 'TIMEOUT') return 'timed out'
  return (err.cause?.message ?? err.message ?? String(e)).split('\n')[0]!.slice(0, 120)
}

/** Never print credentials that may sit in the URL. */
export const redact = (url: string) => url.replace(/\/\/[^@/]*@/g, '//***@')
