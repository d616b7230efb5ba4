import { runService } from '@kickmon/shared/service'
import { startNotifier } from './app.ts'
import { loadNotifierConfig } from './config.ts'

// notifier: go-live alerts to Discord, Telegram, ntfy, Slack, email and signed webhooks,
// from KICK_EVENTS through a ledger in PostgreSQL. See docs/notifications.md.
const config = loadNotifierConfig()
await runService({
  name: 'notifier',
  description: 'go-live alerts: channels, rules, deliveries',
  port: config.NOTIFIER_PORT,
  config,
  useDb: true,
  start: async (ctx) => {
    await startNotifier({ ...ctx, config })
  },
})
