import { loadConfig } from '@kickmon/shared/config'
import { runService } from '@kickmon/shared/service'
import { startPoller } from './poller.ts'

const config = loadConfig()
await runService({
  name: 'poller',
  description: 'Kick detection: polling, webhooks, state machine, recording',
  port: config.POLLER_PORT,
  config,
  useDb: true,
  start: async (ctx) => void (await startPoller(ctx)),
})
