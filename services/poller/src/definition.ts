import type { ServiceOptions } from '@kickmon/shared/service'
import type { PollerConfig } from './config.ts'
import { startPoller } from './poller.ts'

/** The poller as a service: main.ts runs it alone, scripts/one-process.ts beside the others. */
export const pollerService = (config: PollerConfig): ServiceOptions<PollerConfig> => ({
  name: 'poller',
  description: 'Kick detection: polling, webhooks, state machine, recording',
  port: config.POLLER_PORT,
  host: config.POLLER_HOST,
  config,
  useDb: true,
  start: async (ctx) => void (await startPoller(ctx)),
})
