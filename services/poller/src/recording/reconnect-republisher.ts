import type { NatsConnection } from '@nats-io/transport-node'

/**
 * Core publishes are lost while disconnected: after a reconnect every status is sent again at
 * once, and once more a little later for subscribers that reconnect after us.
 */
export class ReconnectRepublisher {
  private late: Timer | undefined

  constructor(
    private readonly nc: NatsConnection,
    /** Sends every current status again (the committer also rewrites them to the KV). */
    private readonly republish: () => void,
    private readonly lateMs = 3000,
  ) {}

  start() {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type !== 'reconnect') continue
        this.republish()
        clearTimeout(this.late)
        this.late = setTimeout(() => this.republish(), this.lateMs)
      }
    })()
  }

  stop() {
    clearTimeout(this.late)
  }
}
