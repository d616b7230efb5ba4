import type { ServiceOptions } from '@kickmon/shared/service'
import type { GatewayConfig } from './config.ts'
import { startGateway } from './gateway.ts'

/** The gateway as a service: main.ts runs it alone, scripts/one-process.ts beside the others. */
export const gatewayService = (config: GatewayConfig): ServiceOptions<GatewayConfig> => ({
  name: 'gateway',
  description: 'Web dashboard, REST API, live feed and Kick webhook ingress',
  port: config.GATEWAY_PORT,
  config,
  useDb: false,
  ownHttp: true,
  start: async (ctx) => void (await startGateway(ctx)),
})
