import type { Config } from '@kickmon/shared/config'
import type { ServiceOptions } from '@kickmon/shared/service'
import { startPoller } from './poller.ts'

/** The poller as a service: main.ts runs it alone, scripts/one-process.ts beside the others. */
export const pollerService = (config: Config): ServiceOptions => ({
  name: 'poller',
  description: 'Kick detection: polling, webhooks, state machine, recording',
  port: config.POLLER_PORT,
  config,
  useDb: true,
  start: async (ctx) => void (await startPoller(ctx)),
})
