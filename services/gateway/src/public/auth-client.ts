import type { NatsConnection } from '@nats-io/transport-node'
import { PublicApi, type PublicEndpointName, type PublicInput, type PublicOutput } from '@kickmon/shared/contracts/public'
import { request } from '@kickmon/shared/rpc'

/** The gateway's calls to auth about status pages and share links, typed by the shared contract. */
export class PublicAuthClient {
  constructor(private readonly nc: NatsConnection) {}

  call<K extends PublicEndpointName>(name: K, input: PublicInput<K>, requestId?: string): Promise<PublicOutput<K>> {
    const def = PublicApi[name]
    return request(this.nc, def.subject, input, def.output, { requestId }) as Promise<PublicOutput<K>>
  }
}
