import type { NatsConnection } from '@nats-io/transport-node'
import { PollerApi, type PollerEndpointName, type PollerInput, type PollerOutput } from '@kickmon/shared/contracts/poller'
import { request } from '@kickmon/shared/rpc'

/** The gateway's calls to the poller, typed by the shared contract. */
export class PollerClient {
  constructor(private readonly nc: NatsConnection) {}

  call<K extends PollerEndpointName>(name: K, input: PollerInput<K>, opts: { requestId?: string; timeout?: number } = {}): Promise<PollerOutput<K>> {
    const def = PollerApi[name]
    return request(this.nc, def.subject, input, def.output, opts) as Promise<PollerOutput<K>>
  }
}
