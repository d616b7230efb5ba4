import { loadEnv } from '@kickmon/shared/parse-env'
import { runService } from '@kickmon/shared/service'
import { NotifierConfigSchema } from './config.ts'
import { notifierService } from './definition.ts'

// notifier: go-live alerts to Discord, Telegram, ntfy, Slack, email and signed webhooks,
// from KICK_EVENTS through a ledger in PostgreSQL. See docs/notifications.md.
await runService(notifierService(loadEnv(NotifierConfigSchema)))
