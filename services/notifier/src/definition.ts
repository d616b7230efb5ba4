import type { ServiceOptions } from '@kickmon/shared/service'
import { startNotifier } from './app.ts'
import type { NotifierConfig } from './config.ts'

/** The notifier as a service, for main.ts. */
export const notifierService = (config: NotifierConfig): ServiceOptions<NotifierConfig> => ({
  name: 'notifier',
  description: 'go-live alerts: channels, rules, deliveries',
  port: config.NOTIFIER_PORT,
  host: config.NOTIFIER_HOST,
  config,
  useDb: true,
  start: async (ctx) => void (await startNotifier(ctx)),
})
