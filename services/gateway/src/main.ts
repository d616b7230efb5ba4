import { loadConfig } from '@kickmon/shared/config'
import { runService } from '@kickmon/shared/service'
import { startGateway } from './gateway.ts'

const config = loadConfig()
await runService({
  name: 'gateway',
  description: 'Web dashboard, REST API, live feed and Kick webhook ingress',
  port: config.GATEWAY_PORT,
  config,
  useDb: false,
  ownHttp: true,
  start: async (ctx) => void (await startGateway(ctx)),
})
