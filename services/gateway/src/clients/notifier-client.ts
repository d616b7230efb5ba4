import type { NatsConnection } from '@nats-io/transport-node'
import { NotifierApi, type NotifierEndpointName, type NotifierInput, type NotifierOutput } from '@kickmon/shared/contracts/notifier'
import { request } from '@kickmon/shared/rpc'

/** The gateway's calls to the notifier, typed by the shared contract (it stores nothing itself). */
export class NotifierClient {
  constructor(private readonly nc: NatsConnection) {}

  call<K extends NotifierEndpointName>(name: K, input: NotifierInput<K>, requestId?: string): Promise<NotifierOutput<K>> {
    const def = NotifierApi[name]
    // The test action waits for the provider (up to 10 s per request, redirects included).
    return request(this.nc, def.subject, input, def.output, { requestId, timeout: name === 'channelsTest' ? 30_000 : 5_000 }) as Promise<NotifierOutput<K>>
  }
}
