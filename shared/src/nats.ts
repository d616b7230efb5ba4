import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from './logger.ts'

export type { NatsConnection }

/**
 * A daemon's connection: waits for the server at boot and reconnects forever
 * (the client's defaults give up after ~20 s), logging every state change.
 */
export async function connectNats(url: string, name: string, log: Logger): Promise<NatsConnection> {
  const servers = url.split(',').map((s) => s.trim().replace(/^nats:\/\//, ''))
  log.info({ servers }, 'connecting to NATS')
  const nc = await connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 500,
    pingInterval: 5_000,
    maxPingOut: 3,
  })
  log.info({ server: nc.getServer() }, 'connected to NATS')
  ;(async () => {
    for await (const s of nc.status()) {
      if (s.type === 'ping') continue
      const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'info'
      log[level]({ nats: s.type, data: 'server' in s ? s.server : undefined }, `nats ${s.type}`)
    }
  })().catch(() => {})
  return nc
}
